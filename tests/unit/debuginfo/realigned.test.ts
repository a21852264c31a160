// A frame realigned for `_Alignas(32)` locals (`and rsp, -32`): its locals are rsp-relative
// (DW_OP_breg7), as gcc -O0 -g describes them. gdb runs natively on Memscape's build and on gcc's
// build of the same source; our reader reads the same locations back.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DebugIndex, readDebugInfo } from '../../../shared/debuginfo'
import { buildPair, cleanUp, gccFlagsFor, gdbCommands } from './native'

afterAll(cleanUp)

const SOURCE = 'prog.c'
// `leaf` makes no call: gcc realigns it with `and rsp, -32` and addresses everything through rsp,
// as our back end does for every realigned frame. Two stack-passed parameters (g, h) stay above rbp.
const PROGRAM = `#include <stdio.h>

int leaf(int a, int b, int c, int d, int e, int f, int g, int h)
{
    _Alignas(32) char buf[40];
    int x;
    x = a + g + h;
    buf[0] = (char)x;
    return buf[0] + x;
}

int main(void)
{
    _Alignas(32) char b[40];
    int x;
    x = 7;
    b[0] = 1;
    x += leaf(1, 2, 3, 4, 5, 6, 7, 8);
    printf("%d %d\\n", x, b[0]);
    return 0;
}

_Alignas(64) char pool[8];
`
const LEAF_RETURN_LINE = 9
const MAIN_PRINTF_LINE = 19


/** `info scope`'s raw expression per symbol (gcc's CFA frame base shows DW_OP_fbreg raw; ours
 *  resolves it to rbp): the rsp-relative ones, which both print alike. */
function rspSlots(scope: string): Map<string, number> {
  const slots = new Map<string, number>()
  for (const m of scope.matchAll(/Symbol (\w+) is a complex DWARF expression:\s*0: DW_OP_breg7 (-?\d+) \[\$rsp\]/g)) slots.set(m[1] as string, Number(m[2]))
  return slots
}

describe('a frame realigned by _Alignas(32)', () => {
  const { dir, ours } = buildPair(SOURCE, PROGRAM, { pie: false, stackProtector: 'none' }, gccFlagsFor(false, 'none'))
  const session = [
    'info scope leaf',
    `break ${LEAF_RETURN_LINE}`,
    `break ${MAIN_PRINTF_LINE}`,
    'run',
    'print x',
    'print buf[0]',
    'print (char *)&buf - (char *)$rsp',
    'print (long)&buf % 32',
    'print a',
    'print f',
    'print g',
    'print h',
    'print (char *)&g - (char *)$rbp',
    'continue',
    'print x',
    'print b[0]',
    'print (long)&b % 32',
    'print sizeof b',
  ]
  const gccOut = gdbCommands(dir, './gcc/prog', session)
  const ourOut = gdbCommands(dir, './memscape/prog', session)

  it('gdb sees the locals and register parameters of the leaf at gcc\'s rsp offsets', () => {
    const theirs = rspSlots(gccOut[0] ?? '')
    expect([...theirs.keys()]).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'buf', 'x'])
    expect(rspSlots(ourOut[0] ?? '')).toEqual(theirs)
  })

  it('gdb prints the same values and addresses in both programs', () => {
    // The stack-passed parameters stay frame-base relative: gcc's `DW_OP_fbreg 0` is rbp+16.
    const printed = (command: string): string | undefined => gccOut[session.indexOf(command)]
    expect(printed('print (char *)&g - (char *)$rbp')).toBe('$9 = 16')
    expect(printed('print x')).toBe('$1 = 16')
    expect(printed('print (char *)&buf - (char *)$rsp')).toBe('$3 = -64')
    expect(printed('print (long)&b % 32')).toBe('$12 = 0')
    // Code addresses differ (other libc, other code size): compare the rest.
    const withoutAddresses = (lines: readonly string[]): string[] => lines.map((text) => text.replace(/0x[0-9a-f]+/g, '0x…'))
    expect(withoutAddresses(ourOut.slice(1))).toEqual(withoutAddresses(gccOut.slice(1)))
  })

  it('records the alignments the declarations ask for (DW_AT_alignment), as gcc', () => {
    const alignments = (bytes: Uint8Array): Record<string, number | undefined> => {
      const index = new DebugIndex(readDebugInfo(bytes))
      const named = [...(index.functionNamed('leaf')?.locals ?? []), ...(index.functionNamed('main')?.locals ?? []), index.global('pool')]
      return Object.fromEntries(named.map((v) => [v?.name, v?.alignment]))
    }
    const theirs = alignments(new Uint8Array(readFileSync(join(dir, 'gcc', 'prog'))))
    expect(theirs).toEqual({ buf: 32, x: undefined, b: 32, pool: 64 })
    expect(alignments(ours)).toEqual(theirs)
  })

  it('our reader finds the rsp-relative locations gcc wrote', () => {
    const theirs = new DebugIndex(readDebugInfo(new Uint8Array(readFileSync(join(dir, 'gcc', 'prog')))))
    const mine = new DebugIndex(readDebugInfo(ours))
    const leafLocations = (index: DebugIndex): Record<string, unknown> => {
      const [address] = index.addressesOf(SOURCE, LEAF_RETURN_LINE)
      if (address === undefined) throw new Error(`no address for line ${LEAF_RETURN_LINE}`)
      return Object.fromEntries(index.variablesAt(address).map((v) => [v.name, v.location]))
    }
    const gccLeaf = leafLocations(theirs)
    expect(gccLeaf['buf']).toEqual({ kind: 'stack', rspOffset: -64 })
    expect(gccLeaf['x']).toEqual({ kind: 'stack', rspOffset: -4 })
    expect(gccLeaf['g']).toEqual({ kind: 'frame', rbpOffset: 16 })
    expect(leafLocations(mine)).toEqual(gccLeaf)
    // main calls: gcc realigns it through a DRAP register and keeps rbp-relative locals; ours
    // stays rsp-relative, past the `sub rsp`, where its code addresses them.
    const [printfAt] = mine.addressesOf(SOURCE, MAIN_PRINTF_LINE)
    const mainLocations = mine.variablesAt(printfAt ?? NaN).map((v) => v.location.kind)
    expect(mainLocations).toEqual(['stack', 'stack'])
  })
})
