import { execFileSync } from 'node:child_process'
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assemble } from '../../../../shared/toolchain/asm/assembler'
import { formatDiagnostic, type ObjectFile } from '../../../../shared/toolchain/asm/object'
import { link, type LinkOptions } from '../../../../shared/toolchain/link/linker'
import { runNative, scratchDir } from './gnu'

function assembleOk(source: string, name = 'prog.asm'): ObjectFile {
  const result = assemble(source, name)
  expect(result.diagnostics.map(formatDiagnostic)).toEqual([])
  return result.object as ObjectFile
}

function linkToFile(objects: ObjectFile[], options: LinkOptions): string {
  const result = link(objects, options)
  expect(result.errors).toEqual([])
  const path = join(scratchDir(), 'prog')
  writeFileSync(path, result.bytes as Uint8Array)
  chmodSync(path, 0o755)
  return path
}

function readelf(path: string, flags: string): string {
  return execFileSync('readelf', [flags, '-W', path]).toString()
}

const HELLO = `
section .text
global _start
_start:
    mov eax, 1              ; write(1, msg, len)
    mov edi, 1
    lea rsi, [rel msg]
    mov edx, len
    syscall
    mov eax, [rel status]   ; exit(status + counter)
    add eax, [rel counter]
    mov edi, eax
    mov eax, 60
    syscall
section .rodata
msg: db "hello, world", 10
len equ $ - msg
section .data
status: dd 40
section .bss
counter: resd 1
`

describe('linker: static executables that run natively', () => {
  it('links a raw-syscall program as -no-pie ET_EXEC at 0x400000 with ld-like segments', () => {
    const path = linkToFile([assembleOk(HELLO)], { pie: false })
    expect(runNative(path)).toMatchObject({ stdout: 'hello, world\n', status: 40 })
    const header = readelf(path, '-h')
    expect(header).toMatch(/Type:\s+EXEC/)
    expect(header).toMatch(/Entry point address:\s+0x401000/)
    const segments = readelf(path, '-l')
    const loads = [...segments.matchAll(/LOAD\s+(0x\w+) (0x\w+) 0x\w+ (0x\w+) (0x\w+) (\S+(?: \S)?)\s+0x1000/g)].map((m) => ({ offset: m[1], vaddr: m[2], flags: m[5]?.trim() }))
    expect(loads).toEqual([
      { offset: '0x000000', vaddr: '0x0000000000400000', flags: 'R' },
      { offset: '0x001000', vaddr: '0x0000000000401000', flags: 'R E' },
      { offset: '0x002000', vaddr: '0x0000000000402000', flags: 'R' },
      // ld's DATA_SEGMENT_ALIGN: same offset within the page, next page.
      { offset: '0x002010', vaddr: '0x0000000000403010', flags: 'RW' },
    ])
    expect(segments).toMatch(/GNU_STACK\s+0x0+ 0x0+ 0x0+ 0x0+ 0x0+ RW\s/)
    const sections = readelf(path, '-S')
    for (const name of ['.text', '.rodata', '.data', '.bss', '.symtab', '.strtab', '.shstrtab']) expect(sections).toContain(` ${name} `)
    expect(readelf(path, '-s')).toMatch(/FUNC\s+GLOBAL\s+DEFAULT\s+1 _start/)
  })

  it('links the same program as a static PIE (ET_DYN) that runs at a random base', () => {
    const path = linkToFile([assembleOk(HELLO)], { pie: true })
    expect(runNative(path)).toMatchObject({ stdout: 'hello, world\n', status: 40 })
    expect(readelf(path, '-h')).toMatch(/Type:\s+DYN/)
    expect(readelf(path, '-l')).not.toMatch(/INTERP/)
  })

  it('sets PF_X on PT_GNU_STACK with -z execstack', () => {
    const path = linkToFile([assembleOk(HELLO)], { pie: false, execStack: true })
    expect(readelf(path, '-l')).toMatch(/GNU_STACK\s+0x0+ 0x0+ 0x0+ 0x0+ 0x0+ RWE\s/)
    expect(runNative(path).status).toBe(40)
  })

  it('links several objects, resolving calls and data across them', () => {
    const main = assembleOk(
      `
extern greet, exit_code
global _start
section .text
_start:
    call greet
    mov rax, [rel exit_code]
    mov edi, [rax]
    mov eax, 60
    syscall
`,
      'main.asm',
    )
    const library = assembleOk(
      `
global greet, exit_code
section .text
greet:
    mov eax, 1
    mov edi, 1
    lea rsi, [rel text]
    mov edx, 3
    syscall
    ret
section .rodata
text: db "hi", 10
value: dd 7
section .data
exit_code: dq value
`,
      'lib.asm',
    )
    expect(runNative(linkToFile([main, library], { pie: false }))).toMatchObject({ stdout: 'hi\n', status: 7 })
  })

  it('applies R_X86_64_RELATIVE data relocations in a PIE through a self-relocating start', () => {
    const object = assembleOk(`
extern __ehdr_start, __rela_dyn_start, __rela_dyn_end
global _start
section .text
_start:
    lea r8, [rel __ehdr_start]          ; load base
    lea r9, [rel __rela_dyn_start]
    lea r10, [rel __rela_dyn_end]
.next:
    cmp r9, r10
    jae .done
    mov rax, [r9]                       ; r_offset
    mov rdx, [r9+16]                    ; r_addend
    add rdx, r8
    mov [r8+rax], rdx
    add r9, 24
    jmp .next
.done:
    mov rsi, [rel pointer]              ; pointer to the message, relocated
    mov eax, 1
    mov edi, 1
    mov edx, 4
    syscall
    mov eax, 60
    xor edi, edi
    syscall
section .rodata
message: db "pie", 10
section .data
pointer: dq message
`)
    const path = linkToFile([object], { pie: true })
    expect(runNative(path)).toMatchObject({ stdout: 'pie\n', status: 0 })
    expect(readelf(path, '-r')).toMatch(/R_X86_64_RELATIVE/)
    expect(readelf(path, '-l')).toMatch(/DYNAMIC/)
  })

  it('reports undefined and multiply defined symbols like ld', () => {
    const a = assembleOk('extern missing\nglobal _start\n_start: call missing\n', 'a.asm')
    const b = assembleOk('global _start\n_start: ret\n', 'b.asm')
    const result = link([a, b], { pie: false })
    expect(result.errors).toContain("a.asm:(.text+0x1): undefined reference to `missing'")
    expect(result.errors.some((e) => e.includes("multiple definition of `_start'"))).toBe(true)
    expect(result.bytes).toBeUndefined()
  })

  it('rejects absolute 32-bit addresses in a PIE with ld\'s advice', () => {
    const object = assembleOk('global _start\nsection .text\n_start: mov eax, [value]\nsection .data\nvalue: dd 1\n')
    expect(link([object], { pie: true }).errors[0]).toMatch(/R_X86_64_32S against `.data' can not be used when making a PIE object; recompile with -fPIE/)
    expect(link([object], { pie: false }).errors).toEqual([])
  })
})
