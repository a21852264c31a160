// The visible rows of the hex dump as plain data: each byte's text and the classes that colour
// it (its role, its change's age, the selection, the cursor), each row's address in its region's
// kind. The pane draws exactly this; the bench times exactly this.

import type { SnapshotRegion } from '../../../../shared/debugger/snapshot'
import { roleClasses } from '../memory-roles'
import type { ChangeMark, Selection } from '../workspace.svelte'
import { changeAgeAt, spanAt, type ByteSpan } from './byte-roles'
import { asciiOf, BYTES_PER_ROW, byteHex, rowAddress, rowLabel } from './rows'

/** Bytes read from the guest: mapped[i] false where nothing is mapped. */
export interface MemoryWindow {
  start: bigint
  bytes: readonly number[]
  mapped: readonly boolean[]
}

export interface Cell {
  address: bigint
  hex: string
  ascii: string
  classes: string
}

export interface Row {
  address: bigint
  label: string
  /** The region's kind class for the address column, or null outside every region. */
  kind: string | null
  cells: Cell[]
  /** "unmapped" or "no access" for a row with no readable byte. */
  note: string | null
}

export interface GridInput {
  topRow: bigint
  rowCount: number
  memory: MemoryWindow | null
  regions: readonly SnapshotRegion[]
  spans: readonly ByteSpan[]
  changes: readonly ChangeMark[]
  selection: Selection | null
  cursor: bigint | null
}

function regionOf(regions: readonly SnapshotRegion[], address: bigint): SnapshotRegion | null {
  return regions.find((region) => BigInt(region.start) <= address && address < BigInt(region.end)) ?? null
}

export function buildRows(input: GridInput): Row[] {
  const rows: Row[] = []
  const { memory, selection } = input
  const selectionEnd = selection ? selection.start + BigInt(selection.length) : 0n
  // Labels as wide as the widest address shown: 12 digits in user space, 16 above it.
  const wide = rowAddress(input.topRow + BigInt(input.rowCount)) > 0x1000000000000n
  for (let index = 0; index < input.rowCount; index++) {
    const address = rowAddress(input.topRow + BigInt(index))
    const region = regionOf(input.regions, address)
    const cells: Cell[] = []
    let readable = 0
    for (let column = 0; column < BYTES_PER_ROW; column++) {
      const byteAddress = address + BigInt(column)
      const offset = memory ? Number(byteAddress - memory.start) : -1
      const mapped = memory !== null && offset >= 0 && offset < memory.bytes.length && memory.mapped[offset] === true
      const classes: string[] = []
      if (mapped) {
        readable++
        const byte = memory.bytes[offset]!
        const span = spanAt(input.spans, byteAddress)
        if (span) classes.push('role', roleClasses(span.role, span.name))
        if (span?.corrupted) classes.push('corrupted')
        if (byte === 0) classes.push('zero')
        const age = changeAgeAt(input.changes, byteAddress)
        if (age !== null) classes.push(`changed age-${age}`)
        cells.push({ address: byteAddress, hex: byteHex(byte), ascii: asciiOf(byte), classes: '' })
      } else {
        classes.push('unmapped')
        cells.push({ address: byteAddress, hex: '··', ascii: ' ', classes: '' })
      }
      if (selection && byteAddress >= selection.start && byteAddress < selectionEnd) classes.push('selected')
      if (input.cursor === byteAddress) classes.push('cursor')
      cells[column]!.classes = classes.join(' ')
    }
    const note = readable > 0 ? null : region ? 'no access' : 'unmapped'
    const label = wide ? rowLabel(address) : rowLabel(address).slice(4)
    rows.push({ address, label, kind: region ? `kind-${region.kind}` : null, cells, note })
  }
  return rows
}
