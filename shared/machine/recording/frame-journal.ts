// The undo log of guest memory, one page at a time: before the first change to a frame in a
// checkpoint interval, its contents are copied into that interval's page map. Undoing the
// intervals from the newest back to a checkpoint puts every frame back as it was there.
//
// Why pages rather than individual writes: Memory tells the journal only on the write TLB's
// miss path (see FrameObserver), which the journal forces once per page and interval by
// emptying the write TLB. The hot write path is untouched, recording or not, and a loop that
// writes the same stack slots a million times costs one page copy per interval instead of a
// million log entries.

import { PAGE_SIZE, type FrameObserver, type Memory } from '../memory'

/** Frame number -> its contents at the start of the interval. */
export type PageMap = Map<number, Uint8Array>

export class FrameJournal implements FrameObserver {
  /** The interval in which each frame was last copied (or became a fresh page). */
  private readonly copiedIn: Int32Array
  private interval = 0
  private pages: PageMap = new Map()
  /** Bytes copied into page maps since the counter was last read. */
  private copiedBytes = 0

  constructor(private readonly memory: Memory) {
    this.copiedIn = new Int32Array(memory.frameCount).fill(-1)
  }

  /** Starts a new interval whose first changes go to `pages`. */
  beginInterval(pages: PageMap): void {
    this.interval++
    this.pages = pages
    this.memory.forgetWriteTranslations()
  }

  frameWillChange(frame: number): void {
    if (this.copiedIn[frame] === this.interval) return
    this.copiedIn[frame] = this.interval
    const start = this.memory.frameOffset(frame)
    this.pages.set(frame, this.memory.bytes.slice(start, start + PAGE_SIZE))
    this.copiedBytes += PAGE_SIZE
  }

  frameAllocated(frame: number): void {
    // Free at the interval's start (or already copied when it was released in this interval):
    // restoring the page table frees it again, so its contents need no copy.
    this.copiedIn[frame] = this.interval
  }

  /** Bytes of page copies made since the last call. */
  takeCopiedBytes(): number {
    const bytes = this.copiedBytes
    this.copiedBytes = 0
    return bytes
  }
}

/**
 * Writes the frames of `maps` (oldest interval first) back into memory; a frame changed in
 * several intervals takes its oldest copy. Returns the frames rewritten.
 */
export function rewriteFrames(memory: Memory, maps: readonly PageMap[]): Set<number> {
  const rewritten = new Set<number>()
  for (const map of maps) {
    for (const [frame, contents] of map) {
      if (rewritten.has(frame)) continue
      rewritten.add(frame)
      memory.bytes.set(contents, memory.frameOffset(frame))
    }
  }
  return rewritten
}

/** Folds `later` into `earlier` (the interval that ends where `later` began): oldest copies win. */
export function mergeInto(earlier: PageMap, later: PageMap): number {
  let freed = 0
  for (const [frame, contents] of later) {
    if (earlier.has(frame)) freed += PAGE_SIZE
    else earlier.set(frame, contents)
  }
  return freed
}
