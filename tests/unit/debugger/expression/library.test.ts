// The library over a small fake target: parsing, evaluation, side effects, session state and the
// printers' corner cases. Expected texts are what gdb 13 printed for the same input.

import { beforeEach, describe, expect, test } from 'vitest'
import type { DwarfRecord, DwarfType } from '../../../../shared/debuginfo'
import {
  BUILTIN, evaluateExpression, examine, ExpressionError, ExpressionSession, formatValue, outputCommand, parseExpression, printCommand,
  ptypeCommand, setVariableCommand, typeName, Value, whatisCommand, type EvalEnvironment, type ExpressionContext,
} from '../../../../shared/debugger/expression'
import { formatFloat, formatString } from '../../../../shared/debugger/expression/format-value'

const BASE = 0x1000n
const INT: DwarfType = { kind: 'base', name: 'int', size: 4, encoding: 'signed' }
const UNSIGNED: DwarfType = { kind: 'base', name: 'unsigned int', size: 4, encoding: 'unsigned' }
const FLAGS: DwarfRecord = {
  kind: 'struct', id: 1, name: 'flags', size: 4, complete: true,
  members: [
    { name: 'low', type: UNSIGNED, offset: 0, bitSize: 3, bitOffset: 0 },
    { name: 'mid', type: INT, offset: 0, bitSize: 5, bitOffset: 3 },
  ],
}

/** 64 bytes of memory at 0x1000: `counter` (int) at 0x1000, `bits` (struct flags) at 0x1004. */
function fakeTarget(): { env: EvalEnvironment; memory: Uint8Array; registers: Map<string, bigint> } {
  const memory = new Uint8Array(64)
  const registers = new Map<string, bigint>([['rax', 5n], ['rip', 0x1010n], ['rsp', 0x1020n], ['rbp', 0x1030n], ['eflags', 0x246n]])
  const inside = (address: bigint, length: number): boolean => address >= BASE && address + BigInt(length) <= BASE + 64n
  const env: EvalEnvironment = {
    readMemory: (address, length) => (inside(address, length) ? memory.slice(Number(address - BASE), Number(address - BASE) + length) : null),
    writeMemory(address, bytes) {
      if (!inside(address, bytes.length)) return false
      memory.set(bytes, Number(address - BASE))
      return true
    },
    readRegister: (name) => registers.get(name),
    writeRegister(name, value) {
      if (!registers.has(name)) return false
      registers.set(name, value)
      return true
    },
    lookupVariable(name) {
      if (name === 'counter') return { type: INT, address: BASE }
      if (name === 'bits') return { type: FLAGS, address: BASE + 4n }
      return undefined
    },
    lookupFunction: () => undefined,
    lookupSymbol: () => undefined,
    lookupType: (name, kind) => (kind === 'struct' && name === 'flags' ? FLAGS : undefined),
    lookupEnumerator: () => undefined,
    symbolize: (address) => (address === BASE ? 'counter' : address === 0x1010n ? 'main+16' : null),
    disassemble: (address, count) =>
      Array.from({ length: count }, (_, i) => ({ address: address + BigInt(i), length: 1, text: i === 0 ? 'nop' : 'ret' })),
  }
  return { env, memory, registers }
}

let target: ReturnType<typeof fakeTarget>
let context: ExpressionContext
beforeEach(() => {
  target = fakeTarget()
  context = { env: target.env, session: new ExpressionSession() }
})

const print = (text: string): string => printCommand(text, context)
const error = (run: () => unknown): string => {
  try {
    run()
  } catch (e) {
    if (e instanceof ExpressionError) return e.message
    throw e
  }
  return 'no error'
}

describe('parsing', () => {
  test.each([
    ['1 + 2 * 3', '$1 = 7'],
    ['(1 + 2) * 3', '$1 = 9'],
    ['1 << 2 + 1', '$1 = 8'],
    ['1 < 2 == 1', '$1 = 1'],
    ['1 ? 2 : 0 ? 3 : 4', '$1 = 2'],
    ['10 - 2 - 3', '$1 = 5'],
    ['-~0', '$1 = 1'],
    ['!!7', '$1 = 1'],
    ['0x1f + 017 + 0b0 - 0', 'Invalid number "0b0".'],
    ["'\\x41'", "$1 = 65 'A'"],
    ["'\\101'", "$1 = 65 'A'"],
    ['"a" "b"', '$1 = "ab"'],
    ['sizeof(int) * 2', '$1 = 8'],
    ['sizeof (struct flags)', '$1 = 4'],
    ['(unsigned char)257', "$1 = 1 '\\001'"],
    ['(long long)-1', '$1 = -1'],
    ['(short unsigned int)-1', '$1 = 65535'],
    ['1 +', "A syntax error in expression, near `'."],
    ['(1', "A syntax error in expression, near `'."],
    ['1 2', "A syntax error in expression, near `2'."],
    ['1 )', 'Junk after end of expression.'],
    ['int', 'Attempt to use a type name as an expression'],
    ['(struct nosuch *)0', 'No struct type named nosuch.'],
    ['nosuch + 1', 'No symbol "nosuch" in current context.'],
    ['counter(1)', 'Calling functions in the program is not supported.'],
    ['18446744073709551616', 'Numeric constant too large.'],
  ])('print %s', (expression, expected) => {
    const text = error(() => {
      throw new ExpressionError(print(expression))
    })
    expect(text).toBe(expected)
  })

  test('declarators in casts build the C type', () => {
    const typeOf = (cast: string): string => typeName(evaluateExpression(`${cast}0`, context).type)
    expect(typeOf('(int (*)(int, int))')).toBe('int (*)(int, int)')
    expect(typeOf('(char (*)[4])')).toBe('char (*)[4]')
    expect(typeOf('(const char *)')).toBe('const char *')
    expect(typeOf('(char * const)')).toBe('char * const')
    expect(typeOf('(int (*)(int, ...))')).toBe('int (*)(int, ...)')
    expect(typeOf('(void (*)())')).toBe('void (*)()')
    expect(typeOf('(int (*)(void))')).toBe('int (*)(void)')
    expect(typeOf('(struct flags **)')).toBe('struct flags **')
  })

  test('the parse tree keeps gdb\'s @ below + and above <<', () => {
    expect(parseExpression('*p@1+2', { ...target.env, lookupVariable: () => ({ type: INT, address: BASE }) })).toMatchObject({
      kind: 'repeat',
      first: { kind: 'unary', op: '*' },
      count: { kind: 'binary', op: '+' },
    })
  })
})

describe('evaluation against the target', () => {
  test('assignments write memory and return the new value', () => {
    expect(print('counter = 41')).toBe('$1 = 41')
    expect(print('counter += 1')).toBe('$2 = 42')
    expect(Array.from(target.memory.subarray(0, 4))).toEqual([42, 0, 0, 0])
    expect(print('counter++')).toBe('$3 = 42')
    expect(print('--counter')).toBe('$4 = 42')
    expect(print('{int} 0x1000')).toBe('$5 = 42')
    setVariableCommand('{char} 0x1001 = 1', context)
    expect(print('counter')).toBe('$6 = 298')
  })

  test('bit-fields read and write only their bits', () => {
    setVariableCommand('bits.low = 13', context)
    setVariableCommand('bits.mid = -2', context)
    expect(print('bits')).toBe('$1 = {low = 5, mid = -2}')
    expect(target.memory[4]).toBe(0b11110101)
    expect(print('/x bits')).toBe('$2 = {low = 0x5, mid = 0xfffffffe}')
    expect(print('&bits.mid')).toBe('$3 = (int *) 0x1004')
  })

  test('registers have gdb\'s types and can be assigned', () => {
    expect(print('$rip')).toBe('$1 = (void (*)()) 0x1010 <main+16>')
    expect(print('$sp')).toBe('$2 = (void *) 0x1020')
    expect(print('$eflags')).toBe('$3 = [ PF ZF IF ]')
    expect(whatisCommand('$rax', context)).toBe('type = int64_t')
    expect(print('$rax = -1')).toBe('$4 = -1')
    expect(target.registers.get('rax')).toBe(0xffffffffffffffffn)
    expect(error(() => print('&$rax'))).toBe('Attempt to take address of value not located in memory.')
  })

  test('sizeof, whatis and ptype have no side effects', () => {
    expect(print('sizeof(counter = 5)')).toBe('$1 = 4')
    expect(whatisCommand('counter++', context)).toBe('type = int')
    expect(ptypeCommand('bits', context)).toBe('type = struct flags {\n    unsigned int low : 3;\n    int mid : 5;\n}')
    expect(print('counter')).toBe('$2 = 0')
  })

  test('memory errors name the address read', () => {
    expect(error(() => print('*(int *)8'))).toBe('Cannot access memory at address 0x8')
    expect(error(() => print('((struct flags *)0)->mid'))).toBe('Cannot access memory at address 0x0')
    expect(print('&((struct flags *)0)->mid')).toBe('$1 = (int *) 0x0')
    expect(error(() => setVariableCommand('*(int *)4 = 1', context))).toBe('Cannot access memory at address 0x4')
  })
})

describe('session state', () => {
  test('the value history', () => {
    print('10')
    print('20')
    print('30')
    expect(print('$')).toBe('$4 = 30')
    expect(print('$$')).toBe('$5 = 30')
    expect(print('$$3')).toBe('$6 = 20')
    expect(print('$1 + $2')).toBe('$7 = 30')
    expect(print('')).toBe('$8 = 30')
    expect(error(() => print('$99'))).toBe('History has not yet reached $99.')
    expect(context.session.history.length).toBe(8)
  })

  test('convenience variables', () => {
    expect(print('$x')).toBe('$1 = void')
    expect(print('$x = 4')).toBe('$2 = 4')
    expect(print('$x += 2')).toBe('$3 = 6')
    expect(print('$x++')).toBe('$4 = 6')
    expect(print('$x')).toBe('$5 = 7')
    expect(error(() => print('$y + 1'))).toBe('Argument to arithmetic operation not a number or boolean.')
    context.session.convenience.set('_exitcode', Value.fromInteger(BUILTIN.int, 3n))
    expect(print('$_exitcode')).toBe('$6 = 3')
  })

  test('output records nothing and ends no line', () => {
    expect(outputCommand('counter + 5', context)).toBe('5')
    expect(outputCommand('/x 255', context)).toBe('0xff')
    expect(context.session.history.length).toBe(0)
  })

  test('print formats refuse what only x understands', () => {
    expect(error(() => print('/2x 1'))).toBe('Item count other than 1 is meaningless in "print" command.')
    expect(error(() => print('/i 1'))).toBe('Format letter "i" is meaningless in "print" command.')
    expect(error(() => print('/b 1'))).toBe('Size letters are meaningless in "print" command.')
  })
})

describe('x', () => {
  beforeEach(() => {
    target.memory.set([1, 0, 0, 0, 2, 0, 0, 0, 0x68, 0x69, 0, 0x41])
  })

  test('rows, labels and the remembered format, size and address', () => {
    expect(examine('/3xw 0x1000', context).text).toBe('0x1000 <counter>:\t0x00000001\t0x00000002\t0x41006968')
    expect(examine('', context).text).toBe('0x100c:\t0x00000000\t0x00000000\t0x00000000')
    expect(examine('/2d 0x1000', context).text).toBe('0x1000 <counter>:\t1\t2')
    expect(print('$_')).toBe('$1 = (int32_t *) 0x1004')
    expect(print('$__')).toBe('$2 = 2')
    expect(examine('/10xb 0x1000', context).text).toBe(
      '0x1000 <counter>:\t0x01\t0x00\t0x00\t0x00\t0x02\t0x00\t0x00\t0x00\n0x1008:\t0x68\t0x69',
    )
    expect(examine('/2s 0x1008', context).text).toBe('0x1008:\t"hi"\n0x100b:\t"A"')
    expect(examine('/c 0x1008', context).text).toBe("0x1008:\t104 'h'")
    expect(examine('/tb 0x1000', context).text).toBe('0x1000 <counter>:\t00000001')
  })

  test('unreadable memory ends the listing after the row label', () => {
    expect(examine('/4xg 0x1030', context)).toEqual({
      text: '0x1030:\t0x0000000000000000\t0x0000000000000000\n0x1040:\t',
      error: 'Cannot access memory at address 0x1040',
    })
    expect(examine('/s 0x2000', context).text).toBe('0x2000:\t<error: Cannot access memory at address 0x2000>')
  })

  test('instructions come from the caller, with the current one marked', () => {
    expect(examine('/2i $pc', context).text).toBe('=> 0x1010 <main+16>:\tnop\n   0x1011:\tret')
    expect(examine('', context).text).toBe('   0x1012:\tnop\n   0x1013:\tret')
  })

  test('x needs an address the first time', () => {
    expect(error(() => examine('', context))).toBe('Argument required (starting display address).')
  })
})

describe('printers', () => {
  test.each([
    [0.1, 8, '0.10000000000000001'],
    [1e100, 8, '1e+100'],
    [1e-5, 8, '1.0000000000000001e-05'],
    [100000000, 8, '100000000'],
    [1e17, 8, '1e+17'],
    [0.0001, 8, '0.0001'],
    [1e10, 4, '1e+10'],
    [1 / 3, 4, '0.333333343'],
    [-0, 8, '-0'],
    [Infinity, 8, 'inf'],
  ])('%s as a %d-byte float', (n, size, expected) => {
    const bytes = new Uint8Array(size)
    if (size === 4) new DataView(bytes.buffer).setFloat32(0, n, true)
    else new DataView(bytes.buffer).setFloat64(0, n, true)
    expect(formatFloat(bytes)).toBe(expected)
  })

  test('strings: escapes, runs past the repeat threshold, the element limit', () => {
    const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0))
    expect(formatString(bytes('a"b\\c\'\x1b\x7f\xff'), false)).toBe('"a\\"b\\\\c\'\\033\\177\\377"')
    expect(formatString(bytes('x'.repeat(10)), false)).toBe('"xxxxxxxxxx"')
    expect(formatString(bytes('ab' + 'x'.repeat(11) + 'c'), false)).toBe('"ab", \'x\' <repeats 11 times>, "c"')
    expect(formatString(bytes('y'.repeat(250)), false)).toBe("'y' <repeats 250 times>")
    expect(formatString(bytes('ab'.repeat(150)), false)).toBe(`"${'ab'.repeat(100)}"...`)
    expect(formatString(bytes('abc'), true)).toBe('"abc"...')
    expect(formatString(new Uint8Array(0), false)).toBe('""')
  })

  test('arrays: repeats count ten elements towards the limit of 200', () => {
    const ints = new Uint8Array(4 * 230)
    const view = new DataView(ints.buffer)
    for (let i = 0; i < 230; i++) view.setInt32(i * 4, i < 30 ? 0 : i, true)
    const value = Value.fromBytes({ kind: 'array', of: INT, count: 230 }, ints)
    const text = formatValue(value, context)
    expect(text.startsWith('{0 <repeats 30 times>, 30, 31,')).toBe(true)
    expect(text.endsWith(', 218, 219...}')).toBe(true)
  })

  test('flag enums decompose into their enumerators', () => {
    const e: DwarfType = { kind: 'enum', name: 'f', size: 4, enumerators: [{ name: 'A', value: 1n }, { name: 'B', value: 2n }, { name: 'C', value: 4n }] }
    const show = (n: bigint): string => formatValue(Value.fromInteger(e, n), context)
    expect([show(2n), show(3n), show(8n), show(9n), show(0n)]).toEqual(['B', '(A | B)', '(unknown: 0x8)', '(A | unknown: 0x8)', '0'])
  })
})
