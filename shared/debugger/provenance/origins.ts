// Where a byte came from. Shadow tracking gives every byte of memory and of the registers one of
// these labels while history is re-executed: data copied from somewhere keeps the label of its
// source, anything an instruction calculates is labelled with that instruction.

/**
 * The call chain at a moment of the run, innermost call first: a linked list so each executed
 * instruction can keep the chain it ran in for the price of one reference.
 */
export interface CallChain {
  /** The return address the call pushed: a `ret` to it leaves this call. */
  readonly returnAddress: number
  /** rsp just after the call pushed the return address. */
  readonly rsp: number
  /** The function called (runtime address of its entry), when known. */
  readonly target: number | null
  readonly caller: CallChain | null
}

/** One executed instruction: its instruction count (after it ran), its address, the calls it ran inside. */
export interface Step {
  readonly count: number
  readonly ip: number
  readonly chain: CallChain | null
  /** For a system call: its name (read, fstat...). */
  readonly syscall?: string
}

export type Origin =
  /** Byte `offset` of the standard input stream, and the read that brought it in. */
  | { readonly kind: 'stdin'; readonly offset: number; readonly by?: Step }
  /** A byte of a file read by the program (or mapped from it). */
  | { readonly kind: 'file'; readonly path: string; readonly offset: number; readonly by?: Step }
  /** argv[index][offset] as the kernel copied it onto the initial stack. */
  | { readonly kind: 'argv'; readonly index: number; readonly offset: number }
  /** envp[index][offset] as the kernel copied it onto the initial stack. */
  | { readonly kind: 'env'; readonly index: number; readonly offset: number }
  /** The rest of the kernel's initial stack: auxv, AT_RANDOM bytes, argc, the pointer tables. */
  | { readonly kind: 'startup'; readonly what: string }
  /** A byte of the executable's file, loaded with its section (.data, .rodata, .text...). */
  | { readonly kind: 'image'; readonly section: string; readonly fileOffset: number }
  /** Zero from the start: .bss, a fresh page from the kernel. */
  | { readonly kind: 'zero'; readonly what: string }
  /** Calculated by an instruction (or pushed by a call: a return address). */
  | { readonly kind: 'computed'; readonly step: Step }
  /** An immediate operand of an instruction, stored as it is. */
  | { readonly kind: 'constant'; readonly step: Step }
  /** Written by a system call that does not copy input (fstat, getrandom...), or by the kernel delivering a signal. */
  | { readonly kind: 'kernel'; readonly step: Step }
  /** Changed from the debugger (`set var`, `set {int} ADDR`). */
  | { readonly kind: 'edit'; readonly count: number }
  /** A register's value when the program started (the kernel sets them: zero, rsp at argc). */
  | { readonly kind: 'initial-register'; readonly register: string }
  /** Already there when the examined stretch of history began: nothing earlier was examined. */
  | { readonly kind: 'earlier'; readonly count: number }

/** Origins of one kind that describe consecutive bytes of one stream: shown as a range. */
export function continues(previous: Origin, next: Origin): boolean {
  switch (previous.kind) {
    case 'stdin':
      return next.kind === 'stdin' && next.offset === previous.offset + 1
    case 'file':
      return next.kind === 'file' && next.path === previous.path && next.offset === previous.offset + 1
    case 'argv':
    case 'env':
      return next.kind === previous.kind && next.index === previous.index && next.offset === previous.offset + 1
    case 'image':
      return next.kind === 'image' && next.section === previous.section && next.fileOffset === previous.fileOffset + 1
    case 'computed':
    case 'constant':
    case 'kernel':
      return next.kind === previous.kind && next.step === previous.step
    case 'startup':
    case 'zero':
      return next.kind === previous.kind && next.what === previous.what
    case 'edit':
    case 'earlier':
      return next.kind === previous.kind && next.count === previous.count
    case 'initial-register':
      return next.kind === 'initial-register' && next.register === previous.register
  }
}

/** Consecutive bytes with continuing origins, as [first origin, last origin, how many]. */
export function groupOrigins(origins: readonly Origin[]): { first: Origin; last: Origin; start: number; length: number }[] {
  const groups: { first: Origin; last: Origin; start: number; length: number }[] = []
  origins.forEach((origin, i) => {
    const open = groups[groups.length - 1]
    if (open && continues(open.last, origin)) {
      open.last = origin
      open.length++
    } else groups.push({ first: origin, last: origin, start: i, length: 1 })
  })
  return groups
}

const span = (first: number, last: number): string => (first === last ? `${first}` : `${first}–${last}`)

/**
 * The source of a run of bytes in words, without the instruction's details (the caller adds
 * where an instruction was): "stdin bytes 72–79", "argv[1][0–3]", ".rodata (file offset 0x498004–0x498007)".
 */
export function describeSource(first: Origin, last: Origin): string {
  switch (first.kind) {
    case 'stdin':
      return first.offset === (last as typeof first).offset ? `stdin byte ${first.offset}` : `stdin bytes ${span(first.offset, (last as typeof first).offset)}`
    case 'file':
      return `${first.path} at offset${first.offset === (last as typeof first).offset ? '' : 's'} ${span(first.offset, (last as typeof first).offset)}`
    case 'argv':
      return `argv[${first.index}][${span(first.offset, (last as typeof first).offset)}]`
    case 'env':
      return `envp[${first.index}][${span(first.offset, (last as typeof first).offset)}]`
    case 'image': {
      const end = (last as typeof first).fileOffset
      const offsets = first.fileOffset === end ? `0x${first.fileOffset.toString(16)}` : `0x${first.fileOffset.toString(16)}–0x${end.toString(16)}`
      return `a constant in the program image: ${first.section} (file offset ${offsets})`
    }
    case 'startup':
      return `the kernel's initial stack: ${first.what}`
    case 'zero':
      return `zero: ${first.what}`
    case 'computed':
      return `computed by instruction ${first.step.count}`
    case 'constant':
      return `a constant in instruction ${first.step.count}`
    case 'kernel':
      return first.step.syscall ? `written by the ${first.step.syscall} system call (instruction ${first.step.count})` : `written by the kernel (instruction ${first.step.count})`
    case 'edit':
      return `set from the debugger at instruction ${first.count}`
    case 'initial-register':
      return `${first.register}'s value when the program started`
    case 'earlier':
      return `already there at instruction ${first.count}, the earliest examined`
  }
}

/** True for origins that are data from outside the program: what an attacker or user controls. */
export function isInput(origin: Origin): boolean {
  return origin.kind === 'stdin' || origin.kind === 'file' || origin.kind === 'argv' || origin.kind === 'env'
}
