/** The libc test programs, how to build them and the runs whose results must match glibc's. */
import type { StackProtector } from '../../../../shared/toolchain/c/compile'
import type { RunOptions } from './harness'

export interface LibcCase {
  readonly source: string
  readonly stackProtector?: StackProtector
  readonly runs: readonly (RunOptions & { readonly label: string })[]
  /** A known bug of Memscape's compiler makes this case differ when Memscape builds it: the
   *  Memscape tests expect the failure (and start failing once the bug is fixed). */
  readonly memscapeKnownBug?: string
}

const STDIN_TEXT = '12 -7 hello Z\nxyz\nshort\na line longer than fifteen chars\nEND\ngets line here\n4000000000 ff -123456789012\nnotanumber\n'

export const HEAP_ERROR_SCENARIOS = [
  'tcache-double-free',
  'fasttop',
  'fastbin-dup',
  'invalid-pointer',
  'stack-pointer',
  'invalid-size',
  'prev',
  'corrupted-top',
  'unaligned-tcache',
  'munmap',
  'next-size-normal',
  'top-double-free',
] as const

export const LIBC_CASES: readonly LibcCase[] = [
  { source: 'headers.c', runs: [{ label: 'types, limits and macros' }] },
  { source: 'alignment.c', runs: [{ label: 'max_align_t and _Alignas' }] },
  { source: 'printf_table.c', runs: [{ label: 'formats' }] },
  { source: 'format_leak.c', runs: [{ label: 'format-string bug: positional reads and %n write' }] },
  { source: 'strings.c', runs: [{ label: 'string and ctype functions' }] },
  { source: 'stdlib_funcs.c', runs: [{ label: 'strtol, qsort, bsearch, rand' }] },
  { source: 'heap_layout.c', runs: [{ label: 'chunk layout and reuse order' }] },
  { source: 'heap_arena.c', runs: [{ label: "main_arena and the tcache read at glibc's offsets" }] },
  { source: 'heap_sbrk.c', runs: [{ label: 'heap grown after a foreign sbrk' }] },
  { source: 'heap_bins.c', runs: [{ label: 'large bins, last remainder, trimming, mmapped chunks' }] },
  { source: 'stdio_input.c', runs: [{ label: 'stdin and files', input: STDIN_TEXT }, { label: 'empty stdin', input: '' }] },
  {
    source: 'getline.c',
    runs: [{ label: 'growing line buffer', input: ['short', '', 'x'.repeat(119), 'y'.repeat(120), 'z'.repeat(300), 'w'.repeat(5000), 'no newline'].join('\n') }],
  },
  {
    source: 'stdio_buffering.c',
    runs: [
      { label: 'stdout and stderr on one pipe', mergeStderr: true },
      { label: '_exit drops buffered output', mergeStderr: true, args: ['exit-now'] },
      { label: 'on a terminal: stdout line buffered', terminal: true },
    ],
  },
  {
    source: 'heap_stdio.c',
    runs: [
      { label: 'stdio buffers on the heap (pipe)' },
      { label: 'stdio buffers on the heap (terminal)', terminal: true },
    ],
  },
  {
    source: 'errors.c',
    runs: [
      { label: 'errno, strerror and perror' },
      { label: 'failed assertion', args: ['assert'] },
      { label: 'assertion that holds', args: ['assert-ok'] },
      { label: 'abort loses buffered output', args: ['abort'] },
      { label: 'exit flushes buffered output', args: ['exit'] },
      { label: 'closed standard streams fail with EBADF', args: ['closed-streams'] },
    ],
  },
  {
    source: 'signals.c',
    runs: [
      { label: 'handlers, blocking, SIGSEGV with siginfo' },
      { label: 'default action: killed by SIGSEGV', args: ['default'] },
    ],
  },
  { source: 'startup.c', stackProtector: 'all', runs: [{ label: 'arguments, environment, canary', args: ['one', 'two words', ''] }] },
  { source: 'heap_errors.c', runs: HEAP_ERROR_SCENARIOS.map((scenario) => ({ label: scenario, args: [scenario] })) },
  {
    source: 'stack_smash.c',
    stackProtector: 'default',
    runs: [
      { label: 'no overflow', args: ['010'] },
      { label: '72 bytes + NUL: the canary low byte is already zero', args: ['072'] },
      { label: '73 bytes: detected', args: ['073'] },
      { label: '120 bytes: detected', args: ['120'] },
    ],
  },
]
