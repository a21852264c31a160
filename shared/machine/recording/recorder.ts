// Reverse execution for one Machine: step back any number of instructions, or run to any
// instruction count, forward or backward.
//
// How: a run is deterministic (same binary, argv, environment, seed, and input at the same
// instruction counts = the same run byte for byte), so any earlier state can be rebuilt by
// restoring a checkpoint before it and re-running. Every `checkpointInterval` instructions the
// recorder takes a checkpoint: the CPU's registers and flags (the lazy flag fields as they are,
// which is exact), the kernel's whole state (file table and offsets, VFS contents, standard
// input still buffered, signals, timers, brk and areas, the random generator, virtual time's
// sleep total), the page table and frame allocator, and from then on the old contents of each
// page before its first change (FrameJournal). Stepping back restores the last checkpoint at
// or before the target and re-executes up to it, so going back one instruction costs at most
// one interval of re-execution.
//
// Checkpoints are not taken at system calls: re-execution repeats them exactly, which keeps
// syscall-heavy programs from filling memory with kernel copies. The kernel's state is copied
// only at checkpoints after something could have changed it (a system call, a fault, a timer,
// input), and tables and byte contents equal to the previous copy are shared.
//
// Input and output across time: bytes fed to standard input are logged with the instruction
// count at which they arrived and fed again at that count when re-executing, so a program reads
// the same bytes at the same moment. Output is passed on once: bytes re-produced while
// re-executing are suppressed up to what was already passed on.
//
// History is bounded: checkpoints of the last `recentWindow` instructions are all kept; older
// ones are thinned to one per `recentWindow` (their page copies merged), and past
// `maxHistoryBytes` the spacing of old checkpoints doubles until the history fits, the oldest
// checkpoints being dropped last. `earliestReachable` tells how far back the history reaches.

import type { Machine, MachineStatus } from '../machine'
import type { Kernel } from '../kernel/kernel'
import type { Cpu } from '../cpu/cpu'
import type { PageTableImage } from '../memory'
import type { Node } from '../kernel/vfs'
import { PAGE_SIZE } from '../memory'
import { FrameJournal, mergeInto, rewriteFrames, type PageMap } from './frame-journal'
import { ObjectSnapshot, captureScalars, restoreScalars, type ScalarFields } from './object-snapshot'

export interface RecorderOptions {
  /** Instructions between checkpoints: the most re-execution a step back costs (default 20,000). */
  checkpointInterval?: number
  /** Instructions of recent history kept at full checkpoint density (default 1,000,000). */
  recentWindow?: number
  /** Bytes of history kept at most (default 256 MiB); past it the oldest history is thinned, then dropped. */
  maxHistoryBytes?: number
}

export const DEFAULT_CHECKPOINT_INTERVAL = 20_000
export const DEFAULT_RECENT_WINDOW = 1_000_000
export const DEFAULT_MAX_HISTORY_BYTES = 256 * 1024 * 1024

/** Thrown when a target lies before the oldest history kept, or is not an instruction count. */
export class HistoryError extends RangeError {}

export interface RecorderStats {
  checkpoints: number
  /** Bytes of history held: page copies, kernel copies, page tables, CPU states. */
  bytes: number
  pageBytes: number
  kernelBytes: number
  tableBytes: number
  earliestReachable: number
}

/** What one checkpoint restores. */
interface Checkpoint {
  count: number
  cpuScalars: ScalarFields
  cpuObjects: ObjectSnapshot
  machineScalars: ScalarFields
  /** Shared with neighbouring checkpoints while the kernel did not change. */
  kernel: ObjectSnapshot
  /** Shared while the page table did not change. */
  tables: PageTableImage
  /** Old contents of the frames changed between this checkpoint and the next. */
  pages: PageMap
  /** Output bytes produced so far: stdout, stderr. */
  produced: [number, number]
  /** Input events already applied. */
  inputApplied: number
}

/**
 * Something from outside the program at an instruction count: standard input fed (bytes) or
 * closed (null), or an edit made from the debugger (a register or memory change), applied
 * again at that count whenever the run is re-executed.
 */
type InputEvent = { count: number; bytes: Uint8Array | null } | { count: number; edit: () => void }

const WATCHED_KERNEL_ENTRIES = ['syscall', 'handleException', 'checkTimers'] as const

/** Estimated bytes of a checkpoint's own CPU state (registers, x87, flag fields). */
const CPU_STATE_BYTES = 1024

export class Recorder {
  readonly machine: Machine
  private readonly kernel: Kernel
  private readonly cpu: Cpu
  private readonly journal: FrameJournal
  private readonly interval: number
  private readonly recentWindow: number
  private readonly maxBytes: number
  private oldSpacing: number

  private readonly checkpoints: Checkpoint[] = []
  private readonly inputs: InputEvent[] = []
  private inputApplied = 0
  /** A system call, fault, timer or input may have changed the kernel since its last copy. */
  private kernelChanged = true
  private tablesGeneration = -1
  /** Shared kernel copies and table images, with how many checkpoints use them. */
  private readonly shared = new Map<object, { users: number; bytes: number }>()
  private pageBytes = 0
  private sharedBytes = 0

  /** Output passed on (shown) and produced in the current timeline: index 1 stdout, 2 stderr. */
  private readonly shown = [0, 0, 0]
  private readonly produced = [0, 0, 0]
  private downstream: (fd: 1 | 2, bytes: Uint8Array) => void
  private readonly tap = (fd: 1 | 2, bytes: Uint8Array): void => this.emit(fd, bytes)

  constructor(machine: Machine, options: RecorderOptions = {}) {
    this.machine = machine
    this.kernel = machine.kernel
    this.cpu = machine.cpu
    this.interval = positiveInteger(options.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL, 'checkpointInterval')
    this.recentWindow = positiveInteger(options.recentWindow ?? DEFAULT_RECENT_WINDOW, 'recentWindow')
    this.maxBytes = positiveInteger(options.maxHistoryBytes ?? DEFAULT_MAX_HISTORY_BYTES, 'maxHistoryBytes')
    this.oldSpacing = this.recentWindow
    if (machine.memory.frameObserver !== null) throw new Error('this machine is already being recorded')
    this.downstream = machine.onOutput
    machine.onOutput = this.tap
    this.journal = new FrameJournal(machine.memory)
    machine.memory.frameObserver = this.journal
    this.watchKernel()
    this.checkpoint()
  }

  /** Output goes here, each byte once, however often a stretch of the run is re-executed. */
  get onOutput(): (fd: 1 | 2, bytes: Uint8Array) => void {
    return this.downstream
  }

  set onOutput(callback: (fd: 1 | 2, bytes: Uint8Array) => void) {
    this.downstream = callback
  }

  get instructionCount(): number {
    return this.cpu.instructionCount
  }

  get status(): MachineStatus {
    return this.machine.status
  }

  /** The earliest instruction count runTo can reach. */
  get earliestReachable(): number {
    return this.checkpoints[0]!.count
  }

  /** Instruction counts of the checkpoints kept, oldest first: where going back is cheapest. */
  checkpointCounts(): number[] {
    return this.checkpoints.map((c) => c.count)
  }

  /** Bytes of standard output (1) or error (2) the program has written up to the current instruction. */
  outputLength(fd: 1 | 2): number {
    return this.produced[fd]!
  }

  /** Runs up to maxInstructions forward (recording); stops early as Machine.run does. */
  run(maxInstructions: number): MachineStatus {
    return this.advance(this.cpu.instructionCount + Math.max(0, Math.floor(maxInstructions)))
  }

  /** Executes n instructions (default one). */
  step(n = 1): MachineStatus {
    return this.run(n)
  }

  /** Goes back n instructions (default one), exactly to the state after instruction count - n. */
  stepBack(n = 1): MachineStatus {
    if (!Number.isInteger(n) || n < 0) throw new HistoryError(`stepBack needs a whole number of instructions, got ${n}`)
    const target = this.cpu.instructionCount - n
    if (target < 0) throw new HistoryError(`cannot step back ${n} instructions: only ${this.cpu.instructionCount} have run`)
    return this.runTo(target)
  }

  /**
   * Brings the machine to the state it had (or will have) after `count` instructions. Forward,
   * it runs; it stops early where Machine.run would (exit, fatal signal, waiting for input).
   */
  runTo(count: number): MachineStatus {
    if (!Number.isSafeInteger(count) || count < 0) throw new HistoryError(`instruction count must be a non-negative integer, got ${count}`)
    this.adoptOutputCallback()
    if (count < this.cpu.instructionCount) {
      if (count < this.earliestReachable) {
        throw new HistoryError(`instruction ${count} is before the oldest history kept (instruction ${this.earliestReachable})`)
      }
      let index = this.checkpoints.length - 1
      while (this.checkpoints[index]!.count > count) index--
      this.restore(index)
    }
    return this.advance(count)
  }

  /** Feeds standard input now; it is fed again at this instruction count whenever the run is re-executed. */
  feedStdin(bytes: Uint8Array): void {
    this.input(bytes.slice())
  }

  closeStdin(): void {
    this.input(null)
  }

  /**
   * Applies a change made from outside the program (the debugger's `set var`, `patch`, `jump`)
   * now, and again at this instruction count whenever the run is re-executed, so going back
   * and forth stays exact. Made in the past, it starts a new future, as input does.
   */
  edit(apply: () => void): void {
    this.log({ count: this.cpu.instructionCount, edit: apply })
  }

  stats(): RecorderStats {
    let kernelBytes = 0
    let tableBytes = 0
    const counted = new Set<object>()
    for (const checkpoint of this.checkpoints) {
      if (!counted.has(checkpoint.kernel)) kernelBytes += checkpoint.kernel.ownBytes
      if (!counted.has(checkpoint.tables)) tableBytes += checkpoint.tables.ownBytes
      counted.add(checkpoint.kernel).add(checkpoint.tables)
    }
    return {
      checkpoints: this.checkpoints.length,
      bytes: this.historyBytes(),
      pageBytes: this.pageBytes,
      kernelBytes,
      tableBytes,
      earliestReachable: this.earliestReachable,
    }
  }

  /** Stops recording: the machine runs on without history. */
  dispose(): void {
    const memory = this.machine.memory
    if (memory.frameObserver === this.journal) memory.frameObserver = null
    if (this.machine.onOutput === this.tap) this.machine.onOutput = this.downstream
    this.unwatchKernel()
    this.checkpoints.length = 0
  }

  // --- running forward -------------------------------------------------------------------------

  private advance(target: number): MachineStatus {
    this.adoptOutputCallback()
    const machine = this.machine
    for (;;) {
      this.applyDueInput()
      const now = this.cpu.instructionCount
      const state = machine.status.state
      if (now >= target || state === 'exited' || state === 'signaled' || state === 'waiting-input' || machine.sleepingForever) break
      const last = this.checkpoints[this.checkpoints.length - 1]!
      if (now - last.count >= this.interval) this.checkpoint()
      const latest = this.checkpoints[this.checkpoints.length - 1]!
      let stop = Math.min(target, latest.count + this.interval)
      const next = this.inputs[this.inputApplied]
      if (next !== undefined && next.count < stop) stop = next.count
      machine.run(stop - now)
      if (machine.debugStop !== null) break
      if (this.cpu.instructionCount === now && machine.status.state === state) break
    }
    return machine.status
  }

  private applyDueInput(): void {
    const now = this.cpu.instructionCount
    for (let event = this.inputs[this.inputApplied]; event !== undefined && event.count <= now; event = this.inputs[this.inputApplied]) {
      this.inputApplied++
      if ('edit' in event) {
        event.edit()
        continue
      }
      this.kernelChanged = true
      if (event.bytes === null) this.machine.closeStdin()
      else this.machine.feedStdin(event.bytes)
    }
  }

  private input(bytes: Uint8Array | null): void {
    this.applyDueInput()
    if (this.kernel.stdin.closed) throw new Error('standard input is closed')
    this.log({ count: this.cpu.instructionCount, bytes })
  }

  private log(event: InputEvent): void {
    this.applyDueInput()
    // Input given at a point with logged input still ahead starts a new future: the old one is
    // forgotten, and the output it produced counts as not shown.
    if (this.inputs.length > this.inputApplied) {
      this.inputs.length = this.inputApplied
      this.shown[1] = this.produced[1]!
      this.shown[2] = this.produced[2]!
    }
    this.inputs.push(event)
    this.applyDueInput()
  }

  private emit(fd: 1 | 2, bytes: Uint8Array): void {
    const start = this.produced[fd]!
    const end = start + bytes.length
    this.produced[fd] = end
    const shown = this.shown[fd]!
    if (end <= shown) return
    this.shown[fd] = end
    this.downstream(fd, start >= shown ? bytes : bytes.subarray(shown - start))
  }

  /** Someone set machine.onOutput after the recorder started: send output there, through the tap. */
  private adoptOutputCallback(): void {
    const current = this.machine.onOutput
    if (current !== this.tap) {
      this.downstream = current
      this.machine.onOutput = this.tap
    }
  }

  // --- kernel entry points -----------------------------------------------------------------------

  /**
   * The kernel changes only when the CPU enters it (system call, exception) or a timer fires;
   * wrapping those entry points on this kernel object tells the recorder when its copy of the
   * kernel is out of date, so unchanged kernels are not copied again.
   */
  private watchKernel(): void {
    const kernel = this.kernel
    const syscall = kernel.syscall.bind(kernel)
    kernel.syscall = (cpu) => {
      this.kernelChanged = true
      syscall(cpu)
    }
    const handleException = kernel.handleException.bind(kernel)
    kernel.handleException = (exception) => {
      this.kernelChanged = true
      handleException(exception)
    }
    const checkTimers = kernel.checkTimers.bind(kernel)
    kernel.checkTimers = () => {
      if (kernel.instructionsToNextTimer() !== null || kernel.hasDeliverableSignal()) this.kernelChanged = true
      checkTimers()
    }
  }

  /** Removes the wrappers: the kernel's own methods (on its prototype) show through again. */
  private unwatchKernel(): void {
    const kernel = this.kernel as unknown as Record<string, unknown>
    for (const name of WATCHED_KERNEL_ENTRIES) delete kernel[name]
  }

  // --- checkpoints -------------------------------------------------------------------------------

  /** Objects the kernel refers to whose state is recorded otherwise: the CPU and guest memory. */
  private readonly isExternal = (value: object): boolean => value === this.cpu || value === this.machine.memory

  private checkpoint(): void {
    const last = this.checkpoints[this.checkpoints.length - 1]
    const memory = this.machine.memory
    let tables: PageTableImage
    if (last === undefined || memory.generation !== this.tablesGeneration) {
      tables = memory.captureTables(last?.tables ?? null)
      this.tablesGeneration = memory.generation
    } else {
      tables = last.tables
    }
    let kernel: ObjectSnapshot
    if (last === undefined || this.kernelChanged) {
      const readOnly = readOnlyContents(this.kernel)
      const isExternal = (value: object) => this.isExternal(value) || readOnly.has(value)
      kernel = ObjectSnapshot.capture([this.kernel], isExternal, last?.kernel ?? null)
      this.kernelChanged = false
    } else {
      kernel = last.kernel
    }
    const checkpoint: Checkpoint = {
      count: this.cpu.instructionCount,
      cpuScalars: captureScalars(this.cpu),
      cpuObjects: ObjectSnapshot.capture([this.cpu.r, this.cpu.x87], this.isExternal, null),
      machineScalars: captureScalars(this.machine),
      kernel,
      tables,
      pages: new Map(),
      produced: [this.produced[1]!, this.produced[2]!],
      inputApplied: this.inputApplied,
    }
    this.use(kernel, kernel.ownBytes)
    this.use(tables, tables.ownBytes)
    this.checkpoints.push(checkpoint)
    this.journal.beginInterval(checkpoint.pages)
    this.trim()
  }

  /** Puts the machine back at checkpoint `index`; later checkpoints are dropped. */
  private restore(index: number): void {
    const target = this.checkpoints[index]!
    const memory = this.machine.memory
    const maps = this.checkpoints.slice(index).map((c) => c.pages)
    const rewritten = rewriteFrames(memory, maps)
    memory.restoreTables(target.tables, rewritten)
    this.tablesGeneration = memory.generation
    target.kernel.restore()
    target.cpuObjects.restore()
    // Whether the debugger's breakpoints stop the CPU is the debugger's setting, not the
    // program's state: it stays as the debugger set it (off while history is re-executed).
    const breakpointsArmed = this.cpu.breakpointsArmed
    restoreScalars(this.cpu, target.cpuScalars)
    this.cpu.breakpointsArmed = breakpointsArmed
    restoreScalars(this.machine, target.machineScalars)
    this.produced[1] = target.produced[0]
    this.produced[2] = target.produced[1]
    this.inputApplied = target.inputApplied
    this.kernelChanged = false

    this.pageBytes += this.journal.takeCopiedBytes()
    for (const dropped of this.checkpoints.splice(index + 1)) this.release(dropped)
    this.pageBytes -= target.pages.size * PAGE_SIZE
    target.pages = new Map()
    this.journal.beginInterval(target.pages)
  }

  private use(shared: object, bytes: number): void {
    const entry = this.shared.get(shared)
    if (entry !== undefined) {
      entry.users++
      return
    }
    this.shared.set(shared, { users: 1, bytes })
    this.sharedBytes += bytes
  }

  private unuse(shared: object): void {
    const entry = this.shared.get(shared)!
    if (--entry.users > 0) return
    this.shared.delete(shared)
    this.sharedBytes -= entry.bytes
  }

  private release(checkpoint: Checkpoint): void {
    this.pageBytes -= checkpoint.pages.size * PAGE_SIZE
    this.unuse(checkpoint.kernel)
    this.unuse(checkpoint.tables)
  }

  private historyBytes(): number {
    this.pageBytes += this.journal.takeCopiedBytes()
    return this.pageBytes + this.sharedBytes + this.checkpoints.length * CPU_STATE_BYTES
  }

  /** Thins history older than the recent window, then drops the oldest while over budget. */
  private trim(): void {
    for (;;) {
      this.thinOld()
      if (this.historyBytes() <= this.maxBytes || this.checkpoints.length <= 1) return
      const horizon = this.cpu.instructionCount - this.recentWindow
      const oldCount = this.checkpoints.filter((c) => c.count < horizon).length
      if (oldCount > 1) {
        this.oldSpacing *= 2
        continue
      }
      const oldest = this.checkpoints.shift()!
      this.release(oldest)
    }
  }

  /** Merges checkpoints older than the recent window that lie closer than oldSpacing to the one before. */
  private thinOld(): void {
    const horizon = this.cpu.instructionCount - this.recentWindow
    const checkpoints = this.checkpoints
    let kept = 0
    for (let i = 1; i < checkpoints.length - 1 && checkpoints[i]!.count < horizon; ) {
      const previous = checkpoints[kept]!
      const current = checkpoints[i]!
      if (current.count - previous.count >= this.oldSpacing) {
        kept = i
        i++
        continue
      }
      const freed = mergeInto(previous.pages, current.pages)
      this.pageBytes -= freed
      this.unuse(current.kernel)
      this.unuse(current.tables)
      checkpoints.splice(i, 1)
    }
  }
}

/**
 * Byte arrays the kernel never changes: the contents of read-only files (the program itself)
 * and read-only mappings of them. They are kept by reference: copying or even comparing them
 * at every kernel checkpoint would cost more than the rest of the kernel together (a static
 * glibc program is about 800 KiB, and it is held twice: as a file and as its mapping).
 */
function readOnlyContents(kernel: Kernel): Set<object> {
  const contents = new Set<object>()
  const buffers = new Set<ArrayBufferLike>()
  const visit = (node: Node): void => {
    if (node.kind === 'dir') for (const child of node.entries.values()) visit(child)
    else if (node.kind === 'file' && !node.writable) {
      contents.add(node.data)
      buffers.add(node.data.buffer)
    }
  }
  visit(kernel.vfs.root)
  for (const area of kernel.space.vmas()) {
    const file = area.file
    if (file === null || file.writable !== false) continue
    // A view of a read-only file's buffer, or the loader's image of a read-only file.
    if (buffers.has(file.bytes.buffer) || isReadOnlyFile(kernel, file.path)) contents.add(file.bytes)
  }
  return contents
}

function isReadOnlyFile(kernel: Kernel, path: string): boolean {
  try {
    const node = kernel.vfs.lookup(path, true)
    return node.kind === 'file' && !node.writable
  } catch {
    return false
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`)
  return value
}
