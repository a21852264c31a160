// Exceptions, restartability, self-modifying code, string instructions, segment bases and the
// host interface: behaviours of the Cpu that the differential tests do not reach.

import { describe, expect, it } from 'vitest'
import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../../../shared/machine/memory'
import { RAX, RBX, RCX, RDI, RSI, RSP, R11 } from '../../../../shared/machine/cpu/registers'
import { assemble, CODE, DATA, machine, STACK_TOP } from './harness'

function exceptionOf(stop: ReturnType<ReturnType<typeof machine>['cpu']['run']>) {
  if (stop.kind !== 'exception') throw new Error(`expected an exception, got ${stop.kind}`)
  return stop.exception
}

describe('faults leave the instruction restartable', () => {
  it('a push onto an unmapped page faults without changing rsp, and succeeds once mapped', () => {
    const code = assemble('mov rax, 0x1122334455667788\npush rax\npop rbx\nsyscall')
    const { cpu, memory } = machine(code)
    const low = STACK_TOP - 16 * PAGE_SIZE
    cpu.r.set(RSP, low) // the next push writes below the mapped stack
    const e = exceptionOf(cpu.run(100))
    expect(e).toMatchObject({ vector: 'page-fault', access: 'write', present: false, address: BigInt(low - 8) })
    const pushAddress = CODE + 10
    expect(e.ip).toBe(pushAddress)
    expect(cpu.r.rip).toBe(pushAddress)
    expect(cpu.r.get(RSP)).toBe(low)
    expect(cpu.instructionCount).toBe(1)
    memory.map(low - PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE) // what the kernel's stack growth does
    expect(cpu.run(100).kind).toBe('halt')
    expect(cpu.r.getBig(RBX)).toBe(0x1122334455667788n)
    expect(cpu.r.get(RSP)).toBe(low)
  })

  it('a write to a read-only page leaves memory, registers and flags unchanged', () => {
    const code = assemble(`mov rbx, ${DATA}\nmov dword ptr [rbx], 7\nadd dword ptr [rbx], 1\nsyscall`)
    const { cpu, memory } = machine(code)
    cpu.run(2)
    memory.protect(DATA, PAGE_SIZE, PROT_READ)
    const flags = cpu.getRflags()
    const e = exceptionOf(cpu.run(10))
    expect(e).toMatchObject({ vector: 'page-fault', access: 'write', present: true, address: BigInt(DATA) })
    expect(memory.read32(DATA)).toBe(7)
    expect(cpu.getRflags()).toBe(flags)
  })

  it('ret to a non-canonical address is a general-protection fault at the ret', () => {
    const code = assemble('mov rax, 0x4141414141414141\npush rax\nret')
    const { cpu } = machine(code)
    const e = exceptionOf(cpu.run(10))
    expect(e).toMatchObject({ vector: 'general-protection', address: 0x4141414141414141n })
    expect(e.ip).toBe(CODE + 11)
    expect(cpu.r.get(RSP)).toBe(STACK_TOP - 64 - 8) // the return address is still on the stack
  })

  it('reads of the canonical kernel half are page faults on present pages', () => {
    const code = assemble('mov rax, 0xffffffff81000000\nmov rbx, [rax]')
    const e = exceptionOf(machine(code).cpu.run(10))
    expect(e).toMatchObject({ vector: 'page-fault', access: 'read', present: true, address: 0xffffffff81000000n })
  })

  it('a jump to the kernel half is taken and faults on the fetch there', () => {
    const code = assemble('mov rax, 0xffffffff81000000\njmp rax')
    const { cpu } = machine(code)
    const e = exceptionOf(cpu.run(10))
    expect(e).toMatchObject({ vector: 'page-fault', access: 'exec', present: true, address: 0xffffffff81000000n })
    expect(BigInt(e.ip)).toBe(0xffffffff81000000n)
  })

  it('executing a data page is an exec page fault (NX)', () => {
    const code = assemble(`mov rax, ${DATA}\njmp rax`)
    const { cpu } = machine(code)
    const e = exceptionOf(cpu.run(10))
    expect(e).toMatchObject({ vector: 'page-fault', access: 'exec', present: true, address: BigInt(DATA), ip: DATA })
  })

  it('divide errors on zero and on quotient overflow, with rip at the div', () => {
    for (const source of ['xor ecx, ecx\nmov eax, 5\ndiv ecx', 'mov eax, 0\nmov edx, 2\nmov ecx, 2\ndiv ecx', 'mov rax, 0x8000000000000000\ncqo\nmov rcx, -1\nidiv rcx']) {
      const code = assemble(source)
      const { cpu } = machine(code)
      const e = exceptionOf(cpu.run(10))
      expect(e.vector).toBe('divide-error')
      expect(code[e.ip - CODE]).toBeOneOf([0xf7, 0x48])
    }
  })

  it('invalid opcodes report their bytes', () => {
    const code = assemble('nop\nud2\n.byte 0x11, 0x22')
    const e = exceptionOf(machine(code).cpu.run(10))
    expect(e.vector).toBe('invalid-opcode')
    if (e.vector !== 'invalid-opcode') return
    expect(e.ip).toBe(CODE + 1)
    expect([...e.bytes.slice(0, 4)]).toEqual([0x0f, 0x0b, 0x11, 0x22])
    const bad = exceptionOf(machine(Uint8Array.from([0x06])).cpu.run(10)) // push es: not in 64-bit mode
    expect(bad.vector).toBe('invalid-opcode')
  })

  it('int3 is a breakpoint; hlt and privileged instructions are general-protection faults', () => {
    expect(exceptionOf(machine(assemble('int3')).cpu.run(1)).vector).toBe('breakpoint')
    expect(exceptionOf(machine(assemble('hlt')).cpu.run(1)).vector).toBe('general-protection')
    expect(exceptionOf(machine(assemble('cli')).cpu.run(1)).vector).toBe('general-protection')
    expect(exceptionOf(machine(assemble('int 0x80')).cpu.run(1)).vector).toBe('general-protection')
  })
})

describe('self-modifying code', () => {
  it('re-translates code overwritten after it was cached, even inside the running block', () => {
    // The loop body runs once from the cache, then patches its own `add eax, 1` into `add eax, 100`.
    const code = assemble(`
      xor eax, eax
      mov ecx, 2
    1: add eax, 1
      lea rbx, [rip+1b+2]
      mov byte ptr [rbx], 100
      dec ecx
      jnz 1b
      syscall`)
    const { cpu, memory } = machine(code)
    memory.protect(CODE, PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC)
    expect(cpu.run(100).kind).toBe('halt')
    expect(cpu.r.get(RAX)).toBe(101)
  })

  it('runs shellcode written to the stack once the page is executable', () => {
    const shellcode = assemble('mov eax, 60\nmov edi, 42\nsyscall')
    const code = assemble('call rsp')
    const { cpu, memory, syscalls } = machine(code)
    const at = STACK_TOP - 2 * PAGE_SIZE
    memory.poke(at, shellcode)
    cpu.r.set(RSP, at)
    const e = exceptionOf(cpu.run(10))
    expect(e).toMatchObject({ vector: 'page-fault', access: 'exec', address: BigInt(at) })
    expect(cpu.r.get(RSP)).toBe(at - 8) // the call completed; the fetch at its target faulted
    memory.protect(STACK_TOP - 16 * PAGE_SIZE, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC)
    cpu.r.rip = CODE
    cpu.r.set(RSP, at)
    expect(cpu.run(10).kind).toBe('halt')
    expect(syscalls).toEqual([60])
    expect(cpu.r.get(RDI)).toBe(42)
    // Overwrite the shellcode in place: the cached translation must not run again.
    memory.poke(at + 5, assemble('mov edi, 7'))
    cpu.r.rip = CODE
    cpu.r.set(RSP, at)
    cpu.run(10)
    expect(cpu.r.get(RDI)).toBe(7)
  })
})

describe('string instructions', () => {
  it('rep movsb copies forwards and, with DF=1, backwards', () => {
    const code = assemble(`
      mov rsi, ${DATA}
      lea rdi, [rsi+0x100]
      mov ecx, 5
      rep movsb
      std
      lea rsi, [rsi+0x1ff]
      lea rdi, [rsi+0x100]
      mov ecx, 3
      rep movsb
      cld
      mov r9, rcx
      syscall`)
    const { cpu, memory } = machine(code)
    memory.poke(DATA, Uint8Array.from([1, 2, 3, 4, 5]))
    memory.poke(DATA + 0x200, Uint8Array.from([9, 9, 7, 8, 6]))
    expect(cpu.run(100).kind).toBe('halt')
    expect([...memory.peek(DATA + 0x100, 5).data]).toEqual([1, 2, 3, 4, 5])
    // rsi ended at DATA+0x205 after the first copy; the backward copy moves 0x204..0x202 to 0x304..0x302
    expect([...memory.peek(DATA + 0x302, 3).data]).toEqual([7, 8, 6])
    expect(cpu.r.get(9)).toBe(0) // rcx, saved before the syscall overwrote it
    expect(cpu.r.get(RSI)).toBe(DATA + 0x204 - 3)
  })

  it('rep stosq and repne scasb (strlen) update rcx, rdi and flags', () => {
    const code = assemble(`
      mov rdi, ${DATA}
      mov rax, 0x4141414141414141
      mov ecx, 4
      rep stosq
      mov byte ptr [rdi-3], 0
      mov rdi, ${DATA}
      xor eax, eax
      mov rcx, -1
      repne scasb
      not rcx
      dec rcx
      mov r9, rcx
      syscall`)
    const { cpu } = machine(code)
    expect(cpu.run(100).kind).toBe('halt')
    expect(cpu.r.get(9)).toBe(29)
    expect(cpu.r.get(RDI)).toBe(DATA + 30)
  })

  it('a long rep yields between chunks without retiring, so a pause is served promptly', () => {
    const code = assemble('mov rdi, 0x700000\nmov ecx, 200000\nmov al, 7\nrep stosb\nsyscall')
    const { cpu, memory } = machine(code)
    memory.map(0x700000, 0x40000, PROT_READ | PROT_WRITE)
    expect(cpu.run(3)).toEqual({ kind: 'budget' })
    expect(cpu.run(1)).toEqual({ kind: 'budget' })
    expect(cpu.instructionCount).toBe(3) // the rep is still in progress
    expect(cpu.r.rip).toBe(CODE + 14) // at the rep
    expect(cpu.r.get(RCX)).toBe(200000 - 65536)
    expect(cpu.run(100).kind).toBe('halt')
    expect(cpu.instructionCount).toBe(5)
    expect(memory.read8(0x700000 + 199999)).toBe(7)
    expect(memory.read8(0x700000 + 200000)).toBe(0)
  })

  it('a rep movs that faults midway keeps its progress and resumes', () => {
    const code = assemble(`mov rsi, ${DATA}\nmov rdi, ${DATA + 4 * PAGE_SIZE - 8}\nmov ecx, 16\nrep movsb\nsyscall`)
    const { cpu, memory } = machine(code)
    memory.poke(DATA, Uint8Array.from({ length: 16 }, (_, i) => i + 1))
    const e = exceptionOf(cpu.run(100))
    expect(e).toMatchObject({ vector: 'page-fault', access: 'write', address: BigInt(DATA + 4 * PAGE_SIZE) })
    expect(cpu.r.get(RCX)).toBe(8)
    memory.map(DATA + 4 * PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE)
    expect(cpu.run(100).kind).toBe('halt')
    expect([...memory.peek(DATA + 4 * PAGE_SIZE - 8, 16).data]).toEqual(Array.from({ length: 16 }, (_, i) => i + 1))
  })
})

describe('segments, host interface and virtual time', () => {
  it('fs- and gs-relative accesses add the segment bases, including negative offsets', () => {
    const code = assemble('mov rax, fs:[0x28]\nmov rbx, -8\nmov rsi, fs:[rbx]\nmov rdx, gs:[0]\nsyscall')
    const { cpu, memory } = machine(code)
    memory.poke(DATA + 0x128, Uint8Array.from([0xef, 0xbe, 0xad, 0xde, 0, 0, 0, 0]))
    memory.poke(DATA + 0xf8, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]))
    memory.poke(DATA + 0x800, Uint8Array.from([0x2a]))
    cpu.r.fsBase = DATA + 0x100
    cpu.r.gsBase = DATA + 0x800
    expect(cpu.run(100).kind).toBe('halt')
    expect(cpu.r.get(RAX)).toBe(0xdeadbeef)
    expect(cpu.r.getBig(RSI)).toBe(0x0807060504030201n)
    expect(cpu.r.get(2)).toBe(0x2a)
  })

  it('syscall saves rip in rcx and rflags in r11, and the host may halt', () => {
    const code = assemble('mov eax, 39\nstc\nsyscall\nmov ebx, 1')
    const { cpu, syscalls } = machine(code)
    expect(cpu.run(100)).toEqual({ kind: 'halt' })
    expect(syscalls).toEqual([39])
    expect(cpu.r.get(RCX)).toBe(CODE + 8)
    expect(cpu.r.get(R11) & 0x1).toBe(1)
    expect(cpu.r.rip).toBe(CODE + 8)
    expect(cpu.instructionCount).toBe(3)
  })

  it('stops after exactly the budget, mid-block, and resumes there', () => {
    const code = assemble('mov eax, 1\nmov ebx, 2\nmov esi, 3\nsyscall')
    const { cpu } = machine(code)
    expect(cpu.run(2)).toEqual({ kind: 'budget' })
    expect(cpu.r.rip).toBe(CODE + 10)
    expect(cpu.r.get(RSI)).toBe(0)
    expect(cpu.instructionCount).toBe(2)
    expect(cpu.run(10).kind).toBe('halt')
    expect(cpu.r.get(RSI)).toBe(3)
  })

  it('rdtsc counts retired instructions, so time is reproducible', () => {
    const code = assemble('nop\nnop\nrdtsc\nsyscall')
    const { cpu } = machine(code)
    cpu.run(100)
    expect(cpu.r.get(RAX)).toBe(3)
    expect(cpu.r.get(2)).toBe(0)
  })

  it('cpuid reports a baseline GenuineIntel CPU with SSE2 and without AVX or OSXSAVE', () => {
    const code = assemble('xor eax, eax\ncpuid\nmov r8d, ebx\nmov eax, 1\ncpuid\nsyscall')
    const { cpu } = machine(code)
    cpu.run(100)
    expect(cpu.r.get(8)).toBe(0x756e6547) // "Genu"
    expect(cpu.r.get(2) & (1 << 26)).not.toBe(0) // edx.SSE2
    expect(cpu.r.get(RCX) & ((1 << 28) | (1 << 27) | 1)).toBe(0) // ecx: no AVX, OSXSAVE, SSE3
  })
})
