/**
 * The template library behind the New menu: small programs that each show one idea about memory.
 * A template's source is a real C file under ./sources (bundled as text by Vite's `?raw`, like the
 * libc), so it can also be compiled by gcc outside the app; its metadata says how to build and run
 * it, where to stop, and how the run ends.
 *
 * A new template: a file in ./sources opening with one paragraph for the learner (what to watch,
 * what to press), one line marked with BREAKPOINT_MARKER, and an entry below; the tests in
 * tests/unit/templates then build it, run it in the machine and natively, and check its marked line.
 */
import addressSpaceSource from './sources/address-space.c?raw'
import aslrSource from './sources/aslr.c?raw'
import doubleFreeSource from './sources/double-free.c?raw'
import getsOverflowSource from './sources/gets-overflow.c?raw'
import mmapFileSource from './sources/mmap-file.c?raw'
import shellcodeSource from './sources/shellcode.c?raw'
import stackCanarySource from './sources/stack-canary.c?raw'
import stackExhaustionSource from './sources/stack-exhaustion.c?raw'
import stackFramesSource from './sources/stack-frames.c?raw'
import tcacheSource from './sources/tcache.c?raw'
import useAfterFreeSource from './sources/use-after-free.c?raw'
import { markedBreakpointLine, type MemoryTemplate, type TemplateBuild } from './template'

export * from './template'

/** gcc's defaults on Debian: PIE, no canary, a stack that is not executable. */
const DEFAULT_BUILD: TemplateBuild = { pie: true, stackProtector: 'none', execStack: false }

/** Fixed addresses make an exploit's bytes easier to read, as in most exercises. */
const NO_PIE_BUILD: TemplateBuild = { ...DEFAULT_BUILD, pie: false }

/** Eight A's, eight B's, … eight J's, so each 8-byte slot they reach is easy to tell apart in
 *  memory: A to H fill the 64-byte buffer; without a canary the I's land on the saved rbp and the
 *  J's on the return address, with one the J's land on the canary. */
const OVERFLOW_LINE = `${[...'ABCDEFGHIJ'].map((letter) => letter.repeat(8)).join('')}\n`

type TemplateDefinition = Omit<MemoryTemplate, 'breakpointLine' | 'language'>

function cTemplate(definition: TemplateDefinition): MemoryTemplate {
  return { ...definition, language: 'c', breakpointLine: markedBreakpointLine(definition.source) }
}

export const TEMPLATES: readonly MemoryTemplate[] = [
  cTemplate({
    id: 'address-space-tour',
    title: 'Address-space tour',
    summary: 'Where globals, string literals, heap blocks, locals and code live',
    fileName: 'address-space.c',
    source: addressSpaceSource,
    build: DEFAULT_BUILD,
    expect: { kind: 'exit', code: 0, stdoutIncludes: 'add_one(7) through the pointer = 8' },
  }),
  cTemplate({
    id: 'stack-frame-walk',
    title: 'Stack-frame walk',
    summary: 'Three nested calls: frames, arguments, locals and return addresses',
    fileName: 'stack-frames.c',
    source: stackFramesSource,
    build: DEFAULT_BUILD,
    expect: { kind: 'exit', code: 0, stdoutIncludes: 'result = 41' },
  }),
  cTemplate({
    id: 'gets-overflow',
    title: 'Overflow onto the return address',
    summary: 'gets() writes past a 64-byte buffer over the saved return address (no canary)',
    fileName: 'gets-overflow.c',
    source: getsOverflowSource,
    build: NO_PIE_BUILD,
    stdin: OVERFLOW_LINE,
    expect: { kind: 'signal', signal: 'SIGSEGV', fault: 'non-canonical' },
  }),
  cTemplate({
    id: 'stack-canary',
    title: 'Overflow caught by a stack canary',
    summary: 'The same overflow built with -fstack-protector-strong: "stack smashing detected"',
    fileName: 'stack-canary.c',
    source: stackCanarySource,
    build: { ...NO_PIE_BUILD, stackProtector: 'strong' },
    stdin: OVERFLOW_LINE,
    expect: { kind: 'signal', signal: 'SIGABRT', fault: 'stack-smashing', stderrIncludes: '*** stack smashing detected ***: terminated\n' },
  }),
  cTemplate({
    id: 'shellcode-exec-stack',
    title: 'Shellcode on an executable stack',
    summary: 'Machine code copied into a stack buffer runs with NX off (-z execstack)',
    fileName: 'shellcode.c',
    source: shellcodeSource,
    build: { ...NO_PIE_BUILD, execStack: true },
    expect: { kind: 'exit', code: 0, stdoutIncludes: 'Hello from the stack!\n' },
  }),
  cTemplate({
    id: 'aslr',
    title: 'ASLR: addresses that move',
    summary: 'Stack, heap, global, libc and main addresses, with ASLR on and off',
    fileName: 'aslr.c',
    source: aslrSource,
    build: DEFAULT_BUILD,
    expect: { kind: 'exit', code: 0 },
  }),
  cTemplate({
    id: 'tcache-reuse',
    title: 'malloc, free and the tcache',
    summary: 'Freed chunks of one size go to a tcache list; the next malloc takes the last one back',
    fileName: 'tcache.c',
    source: tcacheSource,
    build: DEFAULT_BUILD,
    expect: { kind: 'exit', code: 0, stdoutIncludes: 'd is c: yes\ne is b: yes\n' },
  }),
  cTemplate({
    id: 'use-after-free',
    title: 'Use after free',
    summary: 'A write through a dangling pointer shows up in the next malloc of that size',
    fileName: 'use-after-free.c',
    source: useAfterFreeSource,
    build: DEFAULT_BUILD,
    expect: { kind: 'exit', code: 0, stdoutIncludes: 'second->text = "overwritten!"\n' },
  }),
  cTemplate({
    id: 'double-free',
    title: 'Double free',
    summary: 'Freeing a pointer twice: glibc detects it in the tcache and aborts',
    fileName: 'double-free.c',
    source: doubleFreeSource,
    build: DEFAULT_BUILD,
    expect: { kind: 'signal', signal: 'SIGABRT', fault: 'allocator-abort', stderrIncludes: 'free(): double free detected in tcache 2\n' },
  }),
  cTemplate({
    id: 'mmap-file',
    title: 'A file mapped into memory',
    summary: 'mmap() a file and read its bytes through a pointer, without read()',
    fileName: 'mmap-file.c',
    source: mmapFileSource,
    build: DEFAULT_BUILD,
    expect: { kind: 'exit', code: 0, stdoutIncludes: "first byte: 'M'\n" },
  }),
  cTemplate({
    id: 'stack-exhaustion',
    title: 'Recursion that exhausts the stack',
    summary: 'A function that never stops calling itself grows the stack to its 8 MiB limit',
    fileName: 'stack-exhaustion.c',
    source: stackExhaustionSource,
    build: DEFAULT_BUILD,
    expect: { kind: 'signal', signal: 'SIGSEGV', fault: 'stack-overflow', stderrIncludes: 'depth 7000: ' },
  }),
]

const BY_ID = new Map(TEMPLATES.map((template) => [template.id, template]))

export function templateById(id: string): MemoryTemplate | undefined {
  return BY_ID.get(id)
}
