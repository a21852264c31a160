// `buildProgram(..., { debugInfo: true })` (memscape cc -g) against gcc -O0 -g on the same
// source: gdb run natively on both shows the same names, values, types and frame offsets, and our
// reader (DebugIndex) finds in Memscape's bytes what it finds in gcc's.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DebugIndex, readDebugInfo, type DebugFunction, type DebugVariable } from '../../../shared/debuginfo'
import { typeText } from './canonical'
import { DRIVER_PROGRAM, FIRST_BODY_LINE, LINE_AFTER_LOCALS } from './driver-program'
import { buildPair, cleanUp, gccFlagsFor, gdbCommands, readelfLines, type BuiltPair } from './native'

afterAll(cleanUp)

const SOURCE = 'prog.c'

function buildBoth(pie: boolean, stackProtector: 'none' | 'all'): BuiltPair {
  return buildPair(SOURCE, DRIVER_PROGRAM, { pie, stackProtector }, gccFlagsFor(pie, stackProtector))
}

/** Addresses differ between the two programs (other libc, other code size): compare the rest. */
const withoutAddresses = (text: string): string => text.replace(/0x[0-9a-f]+/g, '0x…')

/** `info locals` before the locals are assigned: which names gdb lists, not their garbage values. */
const namesOnly = (text: string): string[] => text.split('\n').map((line) => line.split(' = ')[0] ?? '')

const SESSION = [
  'break f',
  'run',
  'info args',
  'info locals',
  'print (char *)$rbp - (char *)&buf',
  'bt',
  `break ${LINE_AFTER_LOCALS}`,
  'continue',
  'info locals',
  'print *p',
  'print total',
  'print greeting',
  'print ticks',
  'whatis n',
  'whatis c',
  'ptype f',
  'ptype struct point',
  `list ${LINE_AFTER_LOCALS},${LINE_AFTER_LOCALS}`,
  'finish',
  'print pt',
  'print (char *)$rbp - (char *)&pt',
  'info frame',
] as const

/** How each command's output is compared: exactly, without addresses, or by names only. */
const COMPARE: Record<(typeof SESSION)[number], (text: string) => unknown> = {
  'break f': withoutAddresses,
  run: withoutAddresses,
  'info args': withoutAddresses,
  'info locals': (text) => text,
  'print (char *)$rbp - (char *)&buf': (text) => text,
  bt: withoutAddresses,
  [`break ${LINE_AFTER_LOCALS}`]: withoutAddresses,
  continue: withoutAddresses,
  'print *p': (text) => text,
  'print total': (text) => text,
  'print greeting': withoutAddresses,
  'print ticks': (text) => text,
  'whatis n': (text) => text,
  'whatis c': (text) => text,
  'ptype f': (text) => text,
  'ptype struct point': (text) => text,
  [`list ${LINE_AFTER_LOCALS},${LINE_AFTER_LOCALS}`]: (text) => text,
  finish: withoutAddresses,
  'print pt': (text) => text,
  'print (char *)$rbp - (char *)&pt': (text) => text,
  // Frame addresses differ; the shape (saved rbp and rip right above the frame base) does not.
  'info frame': withoutAddresses,
}

/** A variable as the tests compare it: everything but addresses of globals. */
function variableShape(v: DebugVariable): unknown {
  const location = v.location.kind === 'static' ? 'static' : v.location
  return { name: v.name, type: typeText(v.type), location, declLine: v.declLine, external: v.external }
}

function functionShape(f: DebugFunction): unknown {
  return { name: f.name, returns: typeText(f.returns), external: f.external, declLine: f.declLine, params: f.params.map(variableShape), locals: f.locals.map(variableShape) }
}

describe.each([
  { pie: false, stackProtector: 'none' },
  { pie: true, stackProtector: 'none' },
  { pie: false, stackProtector: 'all' },
  { pie: true, stackProtector: 'all' },
] as const)('-g $pie PIE, stack protector $stackProtector: Memscape against gcc -O0 -g', ({ pie, stackProtector }) => {
  const pair = buildBoth(pie, stackProtector)

  it('gdb shows the same arguments, locals, values, types, frame offsets, backtrace and return value', () => {
    const ours = gdbCommands(join(pair.dir, 'memscape'), './prog', SESSION)
    const theirs = gdbCommands(join(pair.dir, 'gcc'), './prog', SESSION)
    expect(ours).toHaveLength(SESSION.length)
    // (With a canary, gcc gives the canary load a line row of its own, at the '{', where gdb's
    // `break f` stops; Memscape's line table has the same row.)
    SESSION.forEach((command, i) => {
      const firstLocals = command === 'info locals' && i === SESSION.indexOf('info locals')
      const compare = firstLocals ? namesOnly : COMPARE[command]
      expect(compare(ours[i] ?? ''), command).toEqual(compare(theirs[i] ?? ''))
    })
    // The transcript really shows what the program computed (not two equal failures).
    expect(ours[SESSION.indexOf('info args')]).toMatch(/^a = 5\nb = 9\np = 0x[0-9a-f]+\nc = GREEN$/)
    expect(ours[SESSION.lastIndexOf('info locals')]).toBe(`buf = "hello", '\\000' <repeats 58 times>\nk = 10\nn = 11\nsmall = 200 '\\310'`)
    expect(ours[SESSION.indexOf('print (char *)$rbp - (char *)&buf')]).toBe(stackProtector === 'none' ? '$1 = 96' : '$1 = 80')
    expect(ours[SESSION.indexOf('finish')]).toMatch(/Value returned is \$\d+ = 226$/)
    // `break f` stops at the first statement, or with a canary at the row of f's '{' (gcc's too).
    const stopLine = stackProtector === 'none' ? FIRST_BODY_LINE : DRIVER_PROGRAM.split('\n').indexOf('{') + 1
    expect(ours[SESSION.indexOf('bt')]).toMatch(new RegExp(`^#0 {2}f \\(a=5, b=9, p=0x[0-9a-f]+, c=GREEN\\) at prog\\.c:${stopLine}\n#1 {2}0x[0-9a-f]+ in main \\(argc=1, argv=0x[0-9a-f]+\\) at prog\\.c:28$`))
  })

  it('DebugIndex reads our bytes as it reads gcc\'s: functions, lines, variables', () => {
    const ours = new DebugIndex(readDebugInfo(pair.ours))
    const theirs = new DebugIndex(readDebugInfo(pair.theirs))
    for (const name of ['f', 'main']) {
      const mine = ours.functionNamed(name)
      const gccs = theirs.functionNamed(name)
      expect(mine, name).toBeDefined()
      expect(functionShape(mine as DebugFunction), name).toEqual(functionShape(gccs as DebugFunction))
    }
    for (const name of ['total', 'greeting', 'ticks']) expect(variableShape(ours.global(name) as DebugVariable), name).toEqual(variableShape(theirs.global(name) as DebugVariable))

    // Line LINE_AFTER_LOCALS inside f: its code, its function, every variable in scope.
    const [address] = ours.addressesOf(SOURCE, LINE_AFTER_LOCALS)
    expect(address).toBeDefined()
    const at = address as number
    const f = ours.functionNamed('f') as DebugFunction
    expect(ours.functionAt(at)?.name).toBe('f')
    expect(ours.functionAt((f.ranges[0]?.low ?? 0) - 1)?.name).not.toBe('f')
    expect(ours.sourceAt(at)).toMatchObject({ line: LINE_AFTER_LOCALS })
    // Every row readelf decodes is where sourceAt finds it.
    for (const row of readelfLines(join(pair.dir, 'memscape', 'prog'))) expect(ours.sourceAt(row.address)?.line, `0x${row.address.toString(16)}`).toBe(row.line)
    // The statements of f have lines where gcc's have them (its prologue row is the known
    // difference above: gcc gives it the line of the '{', Memscape the line of the declarator).
    const bodyLines = (index: DebugIndex, fn: DebugFunction): number[] => {
      const lines = new Set<number>()
      for (let address = fn.ranges[0]?.low ?? 0; address < (fn.ranges[0]?.high ?? 0); address++) lines.add(index.sourceAt(address)?.line ?? 0)
      return [...lines].filter((line) => line >= FIRST_BODY_LINE).sort((x, y) => x - y)
    }
    expect(bodyLines(ours, f)).toEqual(bodyLines(theirs, theirs.functionNamed('f') as DebugFunction))
    const gccAt = theirs.addressesOf(SOURCE, LINE_AFTER_LOCALS)[0] as number
    expect(ours.variablesAt(at).map(variableShape)).toEqual(theirs.variablesAt(gccAt).map(variableShape))
    expect(ours.variablesAt(at).map((v) => v.name)).toEqual(['a', 'b', 'p', 'c', 'buf', 'k', 'n', 'small'])
    // buf where the classic exercise expects it: rbp-0x40 plus the space of the other locals.
    expect(ours.variablesAt(at).find((v) => v.name === 'buf')?.location).toEqual({ kind: 'frame', rbpOffset: stackProtector === 'none' ? -96 : -80 })
  })

  it('gdb stops `break LINE` where our line table says the line starts', () => {
    const [breakpoint] = gdbCommands(join(pair.dir, 'memscape'), './prog', [`break ${FIRST_BODY_LINE}`])
    const gdbAddress = Number(/at (0x[0-9a-f]+)/.exec(breakpoint ?? '')?.[1])
    expect(new DebugIndex(readDebugInfo(pair.ours)).addressesOf(SOURCE, FIRST_BODY_LINE)).toContain(gdbAddress)
  })
})

describe('a struct whose body comes after a function that uses a pointer to it', () => {
  // main is lowered (and its debug types described) before the parser has seen struct node's
  // body; the DWARF must still describe the whole struct, as gcc's does.
  const program = `struct node;
int length(struct node *n);

int main(void)
{
    struct node *head = 0;
    return length(head);
}

struct node { int value; struct node *next; };

int length(struct node *n)
{
    return n ? 1 + length(n->next) : 0;
}
`
  const pair = buildPair('late.c', program, { pie: true, stackProtector: 'none' }, gccFlagsFor(true, 'none'))
  const session = ['break main', 'run', 'ptype head', 'ptype struct node', 'whatis head->next->value']

  it('gdb shows the same type for main\'s pointer in both builds', () => {
    const ours = gdbCommands(join(pair.dir, 'memscape'), './prog', session)
    const theirs = gdbCommands(join(pair.dir, 'gcc'), './prog', session)
    expect(ours[2]).toBe('type = struct node {\n    int value;\n    struct node *next;\n} *')
    expect(ours.slice(2)).toEqual(theirs.slice(2))
  })
})
