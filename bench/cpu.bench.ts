// Guest instructions per second of the interpreter on tight loops of raw machine code, in the
// shapes gcc -O2 produces: a counting loop, a byte-copy loop, recursive fib (call-heavy),
// an FNV-1a hash (64-bit imul chain) and a sieve (byte stores, branches).

import { it } from 'vitest'
import { assemble, machine } from '../tests/unit/machine/cpu/harness'
import { report, type BenchRow } from './report'

interface Program {
  name: string
  source: string
}

const PROGRAMS: Program[] = [
  {
    name: 'counting loop',
    source: `
      mov ecx, 20000000
      xor eax, eax
    1: lea rax, [rax+rcx*2]
      xor rax, 0x55
      sub ecx, 1
      jnz 1b
      syscall`,
  },
  {
    name: 'byte copy loop (64 KiB x 40)',
    source: `
      mov r8d, 40
    2: mov rsi, 0x600000
      mov rdi, 0x610000
      xor ecx, ecx
    1: movzx eax, byte ptr [rsi+rcx]
      mov byte ptr [rdi+rcx], al
      add rcx, 1
      cmp rcx, 0x10000
      jne 1b
      sub r8d, 1
      jnz 2b
      syscall`,
  },
  {
    name: 'recursive fib(27)',
    source: `
      mov edi, 27
      call fib
      syscall
    fib:
      push rbp
      push rbx
      mov ebx, edi
      xor ebp, ebp
      sub rsp, 8
    3: cmp ebx, 1
      jle 4f
      lea edi, [rbx-1]
      call fib
      sub ebx, 2
      add ebp, eax
      jmp 3b
    4: lea eax, [rbx+rbp]
      add rsp, 8
      pop rbx
      pop rbp
      ret`,
  },
  {
    name: 'FNV-1a hash (64 KiB x 40)',
    source: `
      mov rax, 0xcbf29ce484222325
      mov rdx, 0x100000001b3
      mov r8d, 40
    2: mov rsi, 0x600000
      lea rdi, [rsi+0x10000]
    1: movzx ecx, byte ptr [rsi]
      add rsi, 1
      xor rax, rcx
      imul rax, rdx
      cmp rsi, rdi
      jne 1b
      sub r8d, 1
      jnz 2b
      syscall`,
  },
  {
    name: 'sieve (64 Ki entries x 30)',
    source: `
      mov r9d, 30
    5: mov rdi, 0x600000
      mov ecx, 0x10000
      mov al, 1
      rep stosb
      mov edx, 2
    1: cmp byte ptr [rdx+0x600000], 0
      je 3f
      lea rax, [rdx+rdx]
    2: cmp rax, 0x10000
      jae 3f
      mov byte ptr [rax+0x600000], 0
      add rax, rdx
      jmp 2b
    3: add rdx, 1
      cmp rdx, 0x10000
      jb 1b
      sub r9d, 1
      jnz 5b
      syscall`,
  },
]

it('cpu: guest instructions per second', () => {
  const rows: BenchRow[] = []
  const perCpuSecond: number[] = []
  for (const program of PROGRAMS) {
    const code = assemble(program.source)
    // Warm-up run (JIT tiers up), then the measured run on a fresh machine.
    for (const measured of [false, true]) {
      const { cpu, memory } = machine(code)
      memory.map(0x600000, 0x20000, 3) // read-write data for the loops
      const start = performance.now()
      const cpuStart = process.cpuUsage()
      const stop = cpu.run(2e9)
      const ms = performance.now() - start
      const used = process.cpuUsage(cpuStart)
      const cpuMs = (used.user + used.system) / 1000
      if (stop.kind !== 'halt') throw new Error(`${program.name}: stopped with ${stop.kind}`)
      if (measured) {
        perCpuSecond.push(cpu.instructionCount / cpuMs / 1000)
        // CPU time as well as wall time: the machine is shared, and wall time includes waiting.
        rows.push({
          name: program.name,
          value: cpu.instructionCount / ms / 1000,
          unit: 'M instr/s',
          note: `${(cpu.instructionCount / 1e6).toFixed(1)} M instructions in ${ms.toFixed(0)} ms wall; ${(cpu.instructionCount / cpuMs / 1000).toFixed(1)} M/s per CPU second`,
        })
      }
    }
  }
  const geomean = (values: number[]) => Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length)
  rows.push({ name: 'geometric mean (wall)', value: geomean(rows.map((row) => row.value)), unit: 'M instr/s', note: "target: blink's interpreter, about 23 M instr/s" })
  rows.push({ name: 'geometric mean (CPU time)', value: geomean(perCpuSecond), unit: 'M instr/s', note: 'instructions per second of CPU time used' })
  report('CPU interpreter speed (raw machine code loops)', rows)
})
