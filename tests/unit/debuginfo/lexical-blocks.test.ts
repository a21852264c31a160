// Variables of nested blocks (`for` clauses, loop bodies, bare `{ }`, if/else arms, shadowing
// names) are described in DW_TAG_lexical_block DIEs with the code range gcc -O0 -g gives them:
// gdb run natively on Memscape's build and on gcc's shows the same variables at the same lines,
// and our reader finds the same block tree, covering the same source lines, in both.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DebugIndex, readDebugInfo, type LexicalBlock } from '../../../shared/debuginfo'
import { buildPair, cleanUp, gccFlagsFor, gdbCommands } from './native'

afterAll(cleanUp)

const SOURCE = 'blocks.c'
const PROGRAM = `#include <stdio.h>
int twice(int v) { return v * 2; }
int f(int n) {
  int total = 0;
  for (int i = 0; i < n; i++) {
    int sq = i * i;
    total += sq;
  }
  {
    {
      int deep = 3;
      int total = deep + 1;
      printf("%d\\n", total);
    }
  }
  if (n > 2) {
    int x = n;
    total += twice(x);
  } else {
    int y = 2;
    total -= y;
  }
  for (int j = 0; j < 2; j++) total++;
  while (n-- > 3) {
    int w = n;
    total += w;
  }
  { int unused; }
  return total;
}
int main(void) { printf("%d\\n", f(5)); return 0; }
`

const lineOf = (text: string): number => PROGRAM.split('\n').findIndex((line) => line.includes(text)) + 1

/** A stop inside each kind of block, and one after them all (only function-level names there). */
const STOPS = ['total += sq;', 'printf("%d\\n", total);', 'total += twice(x);', 'total += w;', 'return total;'].map(lineOf)


/** A block as the tests compare it: its variables, its nested blocks and the source lines its code comes from. */
interface BlockShape {
  readonly locals: readonly string[]
  readonly lines: readonly number[]
  readonly blocks: readonly BlockShape[]
}

function blockShape(index: DebugIndex, block: LexicalBlock): BlockShape {
  const lines = new Set<number>()
  for (const range of block.ranges) {
    for (let address = range.low; address < range.high; address++) {
      const line = index.sourceAt(address)?.line
      if (line !== undefined) lines.add(line)
    }
  }
  return { locals: block.locals.map((v) => v.name), lines: [...lines].sort((a, b) => a - b), blocks: block.blocks.map((b) => blockShape(index, b)) }
}

describe.each([
  { pie: false, stackProtector: 'none' },
  { pie: true, stackProtector: 'all' },
] as const)('lexical blocks, -g, PIE $pie, stack protector $stackProtector: Memscape against gcc -O0 -g', ({ pie, stackProtector }) => {
  const pair = buildPair(SOURCE, PROGRAM, { pie, stackProtector }, gccFlagsFor(pie, stackProtector))

  it('gdb lists the same variables, innermost block first, at a stop in each block', () => {
    const session = [...STOPS.map((line) => `tbreak ${line}`), 'run', ...STOPS.flatMap(() => ['info locals', 'continue'])]
    const ours = gdbCommands(join(pair.dir, 'memscape'), './prog', session)
    const theirs = gdbCommands(join(pair.dir, 'gcc'), './prog', session)
    const locals = (transcript: string[]): string[] => session.flatMap((command, i) => (command === 'info locals' ? [transcript[i] ?? ''] : []))
    expect(locals(ours)).toEqual(locals(theirs))
    // What the program computed, innermost scope first (not two equal failures). `unused` has no
    // slot and its block no code, so gdb finds it everywhere in f, as with gcc's build.
    expect(locals(ours)).toEqual(
      ['sq = 0\ni = 0\ntotal = 0', 'deep = 3\ntotal = 4\ntotal = 30', 'x = 5\ntotal = 30', 'w = 4\ntotal = 42', 'total = 49'].map((text) => `${text}\nunused = <optimized out>`),
    )
  })

  it('our reader finds the same block tree, over the same source lines, in both', () => {
    const ours = new DebugIndex(readDebugInfo(pair.ours))
    const theirs = new DebugIndex(readDebugInfo(pair.theirs))
    const mine = ours.functionNamed('f')
    const gccs = theirs.functionNamed('f')
    if (!mine || !gccs) throw new Error('f is not described')
    expect(mine.locals.map((v) => v.name)).toEqual(['total'])
    const shape = mine.blocks.map((b) => blockShape(ours, b))
    expect(shape).toEqual(gccs.blocks.map((b) => blockShape(theirs, b)))
    // The for's clauses open a block around its body's block; the bare outer `{ }` declares
    // nothing, so `deep` and the inner `total` hang directly below f, as gcc does it.
    expect(shape.map((b) => b.locals)).toEqual([['i'], ['deep', 'total'], ['x'], ['y'], ['j'], ['w'], ['unused']])
    expect(shape[0]?.blocks.map((b) => b.locals)).toEqual([['sq']])
  })

  it('variablesAt lists what is in scope at an address, innermost last', () => {
    const index = new DebugIndex(readDebugInfo(pair.ours))
    const at = (line: number): string[] => index.variablesAt(index.addressesOf(SOURCE, line)[0] ?? -1).map((v) => v.name)
    expect(at(lineOf('total += sq;'))).toEqual(['n', 'total', 'i', 'sq'])
    expect(at(lineOf('int total = deep + 1;'))).toEqual(['n', 'total', 'deep', 'total'])
    expect(at(lineOf('return total;'))).toEqual(['n', 'total'])
  })
})
