// What memory held before the examined stretch of history: when that stretch starts with the
// program, every byte nobody wrote since is known by where it lies (the executable's sections,
// the kernel's initial stack with argv and the environment, fresh zero pages); when it starts
// later, only the read-only parts of the image are certain, the rest was "already there".

import { PF_W, PT_LOAD } from '../../machine/elf'
import type { Inferior } from '../inferior'
import type { Origin } from './origins'

const SHF_ALLOC = 0x2
const encoder = new TextEncoder()

/** Memory the kernel mapped during the replay (mmap, brk): zero, or a file's bytes. */
interface FreshRange {
  readonly start: number
  readonly end: number
  readonly origin: (address: number) => Origin
}

export class InitialMemory {
  private readonly fresh: FreshRange[] = []
  /** Where each argv and envp string starts on the initial stack, with its index. */
  private readonly strings: { kind: 'argv' | 'env'; index: number; start: number; end: number }[] = []

  constructor(
    private readonly inferior: Inferior,
    /** The instruction count the replay started from. */
    readonly windowStart: number,
  ) {
    const parts = inferior.machine.process.stack.parts
    const argStart = parts.find((p) => p.kind === 'arg-strings')?.start
    const envStart = parts.find((p) => p.kind === 'env-strings')?.start
    const argv = [inferior.program.path, ...inferior.settings.args]
    const place = (kind: 'argv' | 'env', list: readonly string[], first: number | undefined): void => {
      if (first === undefined) return
      let at = first
      list.forEach((text, index) => {
        const length = encoder.encode(text).length + 1
        this.strings.push({ kind, index, start: at, end: at + length })
        at += length
      })
    }
    place('argv', argv, argStart)
    place('env', inferior.settings.env, envStart)
  }

  /** The kernel mapped [start, end) at instruction `count` (its bytes are zero or the file's). */
  addFresh(start: number, end: number, origin: (address: number) => Origin): void {
    this.fresh.push({ start, end, origin })
  }

  /** The origin of a byte nothing wrote during the replay. */
  originAt(address: number): Origin {
    for (let i = this.fresh.length - 1; i >= 0; i--) {
      const range = this.fresh[i]!
      if (address >= range.start && address < range.end) return range.origin(address)
    }
    const image = this.imageOrigin(address)
    if (image && (this.windowStart === 0 || image.readOnly)) return image.origin
    if (this.windowStart > 0) return { kind: 'earlier', count: this.windowStart }
    return this.stackOrigin(address) ?? { kind: 'zero', what: 'memory nothing had written yet (the kernel hands out zero-filled pages)' }
  }

  private imageOrigin(address: number): { origin: Origin; readOnly: boolean } | null {
    const program = this.inferior.program
    const link = this.inferior.linkAddress(address)
    for (const segment of program.elf.programHeaders) {
      if (segment.type !== PT_LOAD || link < segment.vaddr || link >= segment.vaddr + segment.memsz) continue
      const readOnly = (segment.flags & PF_W) === 0
      const section = program.elf.sections.find((s) => (s.flags & SHF_ALLOC) !== 0 && link >= s.addr && link < s.addr + s.size)
      const name = section?.name || 'the program image'
      if (link >= segment.vaddr + segment.filesz || section?.name === '.bss' || section?.name === '.tbss') {
        return { origin: { kind: 'zero', what: `${name} (zero-initialized)` }, readOnly }
      }
      return { origin: { kind: 'image', section: name, fileOffset: segment.offset + (link - segment.vaddr) }, readOnly }
    }
    return null
  }

  private stackOrigin(address: number): Origin | null {
    const string = this.strings.find((s) => address >= s.start && address < s.end)
    if (string) return { kind: string.kind, index: string.index, offset: address - string.start }
    const stack = this.inferior.machine.process.stack
    const part = stack.parts.find((p) => address >= p.start && address < p.end)
    if (!part) return null
    if (part.kind === 'padding' || part.kind === 'end-marker') return { kind: 'zero', what: part.label }
    if (part.kind === 'argv' || part.kind === 'envp') {
      const slot = Math.floor((address - part.start) / 8)
      return { kind: 'startup', what: `${part.kind}[${slot}] (a pointer the kernel stored)` }
    }
    if (part.kind === 'auxv') {
      const entry = stack.auxv[Math.floor((address - part.start) / 16)]
      return { kind: 'startup', what: `auxv entry ${entry?.name ?? '?'}` }
    }
    return { kind: 'startup', what: part.label }
  }
}
