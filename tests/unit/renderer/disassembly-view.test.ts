import { expect, test } from 'vitest'
import type { SnapshotBreakpoint } from '../../../shared/debugger/snapshot'
import { branchArrows, branchTarget, breakpointAt, isCall, parseInfoSymbol, splitSymbol, toggleCommand, type DisassemblyLine } from '../../../renderer/src/lib/disassembly-view'

const line = (address: number, text: string): DisassemblyLine => ({ address: `0x${address.toString(16)}`, bytes: '', text, current: false, symbol: null })

test('direct branches name their target; indirect ones and other instructions do not', () => {
  expect(branchTarget('jmp short 000000000040165Bh')).toBe(0x40165bn)
  expect(branchTarget('call 0000000000401018h')).toBe(0x401018n)
  expect(branchTarget('jl short 0000000000401647h')).toBe(0x401647n)
  expect(branchTarget('bnd jmp 0000000000401000h')).toBe(0x401000n)
  expect(branchTarget('call qword ptr [rip+0A2FE2h]')).toBeNull()
  expect(branchTarget('jmp rax')).toBeNull()
  expect(branchTarget('mov eax,[rbp-8]')).toBeNull()
  expect(isCall('call 0000000000401018h')).toBe(true)
  expect(isCall('jmp short 000000000040165Bh')).toBe(false)
})

test('arrows for targets in view, nested: the shorter inside, a crossing one on the next lane', () => {
  const lines = [
    line(0x10, 'jmp short 0000000000000030h'),
    line(0x12, 'mov eax,1'),
    line(0x14, 'je short 0000000000000018h'),
    line(0x16, 'nop'),
    line(0x18, 'jl short 0000000000000012h'),
    line(0x1a, 'call 0000000000401018h'),
  ]
  const arrows = branchArrows(lines)
  // 0x30 is out of view; the call's target too.
  expect(arrows).toEqual([
    { from: 2, to: 4, lane: 0, call: false },
    { from: 4, to: 1, lane: 1, call: false },
  ])
})

test('gutter clicks: delete the breakpoint there, or break on the address', () => {
  const breakpoints: SnapshotBreakpoint[] = [{ number: 2, kind: 'breakpoint', enabled: true, addresses: ['0x401645'], lines: [], expression: null }, { number: 3, kind: 'watch', enabled: true, addresses: ['0x401650'], lines: [], expression: 'x' }]
  expect(breakpointAt(breakpoints, 0x401645n)?.number).toBe(2)
  expect(toggleCommand(breakpoints, 0x401645n)).toBe('delete 2')
  // A watchpoint's address is data, not an instruction's breakpoint.
  expect(toggleCommand(breakpoints, 0x401650n)).toBe('break *0x401650')
})

test('symbols and gdb\'s info symbol', () => {
  expect(splitSymbol('greet+22')).toEqual({ name: 'greet', offset: '+22' })
  expect(splitSymbol('main')).toEqual({ name: 'main', offset: '+0' })
  expect(splitSymbol(null)).toBeNull()
  expect(parseInfoSymbol('greet + 70 in section .text of /tmp/p\n')).toBe('greet+70')
  expect(parseInfoSymbol('main in section .text\n')).toBe('main')
  expect(parseInfoSymbol('No symbol matches 0x401018.\n')).toBeNull()
})
