// Turns a CPU exception into what Linux makes of it: the signal and its siginfo, the page-fault
// error code, the line the kernel logs for an unhandled fault (arch/x86/mm/fault.c
// show_signal_msg, arch/x86/kernel/traps.c show_signal, mm/memory.c print_vma_addr,
// arch/x86/kernel/dumpstack.c show_opcodes), and a Fault value that explains it to a learner.

import type { CpuException } from '../cpu/exception'
import type { Fault, FaultKind } from '../fault'
import type { MemoryView } from '../memory'
import { PROT_READ } from '../memory'
import {
  FPE_INTDIV, ILL_ILLOPN, SEGV_ACCERR, SEGV_MAPERR, SIGFPE, SIGILL, SIGSEGV, SIGTRAP, SI_KERNEL, type SignalInfo,
} from './signals'

/** A virtual memory area as the crash report needs it. */
export interface VmaInfo {
  start: number
  end: number
  /** 'r-xp' style. */
  perms: string
  /** File offset of start, for file mappings. */
  offset: number
  /** Path for file mappings, '[stack]'/'[heap]'/... or '' for anonymous memory. */
  name: string
}

export interface CrashContext {
  /** The task's comm: the executable's base name, at most 15 characters. */
  comm: string
  pid: number
  sp: number
  vmas: readonly VmaInfo[]
  memory: MemoryView
  /** RLIMIT_STACK's soft limit in bytes (Infinity when unlimited). */
  stackLimit: number
}

const X86_PF_PROT = 0x1
const X86_PF_WRITE = 0x2
const X86_PF_USER = 0x4
const X86_PF_INSTR = 0x10
/** TASK_SIZE_MAX: the last user page below 2^47 is kept unmapped and counts as kernel space. */
export const TASK_SIZE_MAX = 0x7ffffffff000n
/** Below this address a fault is a NULL-pointer dereference (vm.mmap_min_addr is 64 KiB). */
const NULL_PAGE_LIMIT = 0x10000n

const TRAP_DE = 0
const TRAP_BP = 3
const TRAP_UD = 6
const TRAP_GP = 13
const TRAP_PF = 14

export interface ExceptionOutcome {
  signal: number
  info: SignalInfo
  fault: Fault
  /** The kernel log text for an unhandled signal (one or two lines), or null when Linux logs nothing. */
  kernelLog: string
}

const hex = (value: number | bigint) => value.toString(16)
const px = (value: number | bigint) => value.toString(16).padStart(16, '0')

export function vmaAt(vmas: readonly VmaInfo[], address: number | bigint): VmaInfo | undefined {
  const a = Number(address)
  return vmas.find((v) => a >= v.start && a < v.end)
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** print_vma_addr(): " in name[offset,start+size]" when ip lies in a file mapping. */
function vmaSuffix(ctx: CrashContext, ip: number): string {
  const vma = vmaAt(ctx.vmas, ip)
  if (!vma || !vma.name.startsWith('/')) return ''
  return ` in ${baseName(vma.name)}[${hex(ip - vma.start + vma.offset)},${hex(vma.start)}+${hex(vma.end - vma.start)}]`
}

/** Where an address is, for messages: "[stack]", "a.out r--p", "no region". */
function placeOf(ctx: CrashContext, address: bigint): string {
  const vma = vmaAt(ctx.vmas, address)
  if (!vma) return 'no mapped region'
  const name = vma.name === '' ? 'anonymous memory' : vma.name.startsWith('/') ? baseName(vma.name) : vma.name
  return `${name} (${vma.perms})`
}

/** show_opcodes(): 42 bytes before ip, the byte at ip in <>, 21 after; or why it could not. */
function codeLine(ctx: CrashContext, ip: number): string {
  const start = ip - 42
  const readable = (a: number) => {
    const prot = a >= 0 ? ctx.memory.protection(a) : -1
    return prot >= 0 && (prot & PROT_READ) !== 0
  }
  for (let page = start - (start & 0xfff); page < ip + 22; page += 0x1000) {
    if (!readable(Math.max(page, start))) return `Code: Unable to access opcode bytes at 0x${hex(start)}.`
  }
  const bytes = ctx.memory.peek(start, 64).data
  const parts = [...bytes].map((b, i) => (i === 42 ? `<${hex(b).padStart(2, '0')}>` : hex(b).padStart(2, '0')))
  return `Code: ${parts.join(' ')}`
}

function segfaultLine(ctx: CrashContext, address: bigint, ip: number, error: number): string {
  const head = `${ctx.comm}[${ctx.pid}]: segfault at ${hex(address)} ip ${px(ip)} sp ${px(ctx.sp)} error ${hex(error)}`
  return `${head}${vmaSuffix(ctx, ip)} likely on CPU 0 (core 0, socket 0)\n${codeLine(ctx, ip)}`
}

function trapLine(ctx: CrashContext, what: string, ip: number): string {
  return `traps: ${ctx.comm}[${ctx.pid}] ${what} ip:${hex(ip)} sp:${hex(ctx.sp)} error:0${vmaSuffix(ctx, ip)}`
}

/**
 * What Linux does with a CPU exception the process does not survive (stack growth has already
 * been tried by the caller). `stackOverflow` says the address was the stack running past its
 * limit, which only changes the explanation: the kernel sees an ordinary bad-area fault.
 */
export function describeException(ctx: CrashContext, e: CpuException, stackOverflow: boolean): ExceptionOutcome {
  const ipHex = `0x${hex(e.ip)}`
  switch (e.vector) {
    case 'page-fault': {
      const kernelHalf = e.address >= TASK_SIZE_MAX
      const prot = e.present ? ctx.memory.protection(Number(e.address)) : -1
      // A PROT_NONE page has no present PTE: error code without P, but the VMA exists (ACCERR).
      const protNone = e.present && prot === 0
      let error = X86_PF_USER
      if ((e.present && !protNone) || kernelHalf) error |= X86_PF_PROT
      if (e.access === 'write') error |= X86_PF_WRITE
      if (e.access === 'exec') error |= X86_PF_INSTR
      const code = e.present && !kernelHalf ? SEGV_ACCERR : SEGV_MAPERR
      let kind: FaultKind
      if (kernelHalf) kind = 'kernel-address'
      else if (stackOverflow) kind = 'stack-overflow'
      else if (e.access === 'exec' && e.present) kind = 'no-execute'
      else if (e.present) kind = 'protection'
      else kind = 'unmapped'
      return {
        signal: SIGSEGV,
        info: { signo: SIGSEGV, code, address: e.address, sender: null, trap: { trapno: TRAP_PF, error, cr2: e.address } },
        fault: {
          kind, signal: SIGSEGV, address: `0x${hex(e.address)}`, ip: ipHex, access: e.access, errorCode: error,
          message: pageFaultMessage(ctx, e.address, e.access, kind, protNone),
        },
        kernelLog: segfaultLine(ctx, e.address, e.ip, error),
      }
    }
    case 'general-protection': {
      const address = e.address
      const message = address !== null
        ? `General protection fault: ${e.access === 'exec' ? 'jump to' : e.access === 'write' ? 'write to' : 'access to'} 0x${hex(address)}, a non-canonical address (bits 63..47 must all be equal), typically a pointer or return address overwritten with data.`
        : 'General protection fault: the instruction is not allowed in user mode.'
      return {
        signal: SIGSEGV,
        // #GP carries no address: si_addr is 0 and si_code SI_KERNEL.
        info: { signo: SIGSEGV, code: SI_KERNEL, address: 0n, sender: null, trap: { trapno: TRAP_GP, error: 0, cr2: 0n } },
        fault: { kind: 'non-canonical', signal: SIGSEGV, address: address === null ? null : `0x${hex(address)}`, ip: ipHex, access: e.access, errorCode: 0, message },
        kernelLog: trapLine(ctx, 'general protection fault', e.ip),
      }
    }
    case 'invalid-opcode': {
      const bytes = [...e.bytes].map((b) => hex(b).padStart(2, '0')).join(' ')
      return {
        signal: SIGILL,
        info: { signo: SIGILL, code: ILL_ILLOPN, address: BigInt(e.ip), sender: null, trap: { trapno: TRAP_UD, error: 0, cr2: 0n } },
        fault: {
          kind: 'invalid-opcode', signal: SIGILL, address: null, ip: ipHex, access: null, errorCode: null, bytes,
          message: `Illegal instruction at ${ipHex}: the bytes ${bytes.split(' ').slice(0, 4).join(' ')} are not an instruction this CPU executes.`,
        },
        kernelLog: trapLine(ctx, 'trap invalid opcode', e.ip),
      }
    }
    case 'divide-error':
      return {
        signal: SIGFPE,
        info: { signo: SIGFPE, code: FPE_INTDIV, address: BigInt(e.ip), sender: null, trap: { trapno: TRAP_DE, error: 0, cr2: 0n } },
        fault: {
          kind: 'divide-error', signal: SIGFPE, address: null, ip: ipHex, access: null, errorCode: null,
          message: `Integer division by zero (or a quotient too large for its register) at ${ipHex}.`,
        },
        kernelLog: trapLine(ctx, 'trap divide error', e.ip),
      }
    case 'breakpoint':
      return {
        signal: SIGTRAP,
        info: { signo: SIGTRAP, code: SI_KERNEL, address: 0n, sender: null, trap: { trapno: TRAP_BP, error: 0, cr2: 0n } },
        fault: {
          kind: 'invalid-opcode', signal: SIGTRAP, address: null, ip: ipHex, access: null, errorCode: null,
          message: `Breakpoint instruction (int3) at ${ipHex} with no debugger attached.`,
        },
        kernelLog: trapLine(ctx, 'trap int3', e.ip),
      }
  }
}

function sizeText(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes / (1 << 10)} KiB`
  return `${bytes}-byte`
}

function pageFaultMessage(ctx: CrashContext, address: bigint, access: 'read' | 'write' | 'exec', kind: FaultKind, protNone: boolean): string {
  const at = `0x${hex(address)}`
  const verb = access === 'read' ? 'Read from' : access === 'write' ? 'Write to' : 'Jump to'
  switch (kind) {
    case 'kernel-address':
      return `${verb} ${at}, in the kernel's half of the address space, which user code may not touch.`
    case 'stack-overflow':
      return Number.isFinite(ctx.stackLimit)
        ? `Stack overflow: the stack reached ${at}, past its ${sizeText(ctx.stackLimit)} limit (runaway recursion or a huge local array).`
        : `Stack overflow: the stack reached ${at}, where it may not grow further (it would run into the mapping below it).`
    case 'no-execute':
      return `Tried to execute code at ${at} in ${placeOf(ctx, address)}, which is not executable (NX).`
    case 'protection':
      if (protNone) return `${verb} ${at} in ${placeOf(ctx, address)}, a region that allows no access at all.`
      return `${verb} ${at} in ${placeOf(ctx, address)}, which does not allow ${access === 'write' ? 'writing (read-only data such as a string literal)' : access === 'exec' ? 'execution' : 'reading'}.`
    default:
      if (address < NULL_PAGE_LIMIT) return `${verb} ${at}, which is not mapped: a NULL pointer dereference.`
      return `${verb} ${at}, which is not mapped by any region.`
  }
}

/** Explanations for SIGABRT, keyed on what glibc printed to stderr just before abort(). */
export function abortFault(ip: number, stderrTail: string): Fault {
  const ipHex = `0x${hex(ip)}`
  const lastLine = stderrTail.trimEnd().split('\n').pop() ?? ''
  let kind: FaultKind = 'abort'
  let message = 'The program called abort().'
  if (lastLine.includes('stack smashing detected')) {
    kind = 'stack-smashing'
    message = 'The stack protector found the canary overwritten when a function returned: a buffer on the stack overflowed, and glibc aborted the program.'
  } else if (/^(free|malloc|realloc|double free|corrupted|munmap_chunk|malloc_consolidate|mremap_chunk|Fatal glibc error: malloc)/.test(lastLine)) {
    kind = 'allocator-abort'
    message = `glibc's malloc found its heap metadata inconsistent ("${lastLine}") and aborted the program.`
  } else if (lastLine.includes('buffer overflow detected')) {
    kind = 'stack-smashing'
    message = 'A fortified libc function (_FORTIFY_SOURCE) found a write past the end of its buffer and aborted the program.'
  } else if (/Assertion .* failed/.test(lastLine)) {
    message = `An assertion failed ("${lastLine}") and the program aborted.`
  }
  return { kind, signal: 6, address: null, ip: ipHex, access: null, errorCode: null, message }
}
