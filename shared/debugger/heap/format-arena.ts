// `arena`: main_arena as gdb prints a struct malloc_state with `set print pretty on` (pwndbg
// prints the arena's gdb value): pointers in hex with <symbol+offset>, integers in decimal,
// runs of more than 10 equal array elements as "<repeats N times>", and at most 200 elements
// per array, as gdb's default `print elements` limit allows.

import type { Arena } from './arena'
import { describeAddress, type HeapSnapshot } from './inspect'
import { HeapMemory, type HeapTarget } from './target'
import { hex, HeapTextBuilder, type HeapSegment } from './text'

const REPEAT_THRESHOLD = 10
const PRINT_ELEMENTS = 200

function gdbPointer(memory: HeapMemory, arena: Arena, value: bigint): string {
  const name = value === 0n ? null : describeAddress(memory, arena, value)
  return name === null ? hex(value) : `${hex(value)} <${name}>`
}

/** gdb's array printing: repeat runs count as REPEAT_THRESHOLD elements toward the limit. */
function gdbArray<T>(values: readonly T[], show: (value: T) => string): string {
  const parts: string[] = []
  let printed = 0
  let index = 0
  while (index < values.length && printed < PRINT_ELEMENTS) {
    let end = index + 1
    while (end < values.length && values[end] === values[index]) end++
    const repeats = end - index
    if (repeats > REPEAT_THRESHOLD) {
      parts.push(`${show(values[index]!)} <repeats ${repeats} times>`)
      index = end
      printed += REPEAT_THRESHOLD
    } else {
      parts.push(show(values[index]!))
      index++
      printed++
    }
  }
  return `{${parts.join(', ')}${index < values.length ? '...' : ''}}`
}

export function formatArena(target: HeapTarget, snapshot: HeapSnapshot): HeapSegment[] {
  const memory = new HeapMemory(target)
  const arena = snapshot.arena
  const pointer = (value: bigint): string => gdbPointer(memory, arena, value)
  const fields: [string, string][] = [
    ['mutex', String(arena.mutex)],
    ['flags', String(arena.flags)],
    ['have_fastchunks', String(arena.haveFastchunks)],
    ['fastbinsY', gdbArray(arena.fastbins, pointer)],
    ['top', pointer(arena.top)],
    ['last_remainder', pointer(arena.lastRemainder)],
    ['bins', gdbArray(arena.bins, pointer)],
    ['binmap', gdbArray(arena.binmap, String)],
    ['next', pointer(arena.next)],
    ['next_free', pointer(arena.nextFree)],
    ['attached_threads', String(arena.attachedThreads)],
    ['system_mem', String(arena.systemMem)],
    ['max_system_mem', String(arena.maxSystemMem)],
  ]
  const out = new HeapTextBuilder()
  out.line('{')
  fields.forEach(([name, value], position) => {
    out.write(`  ${name}`, 'heading').write(' = ').write(value, 'value').line(position < fields.length - 1 ? ',' : '')
  })
  return out.line('}').build()
}
