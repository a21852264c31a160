// `bins`, `tcachebins`, `fastbins`, `unsortedbin`, `smallbins`, `largebins` as pwndbg prints
// them: a title, then one line per non-empty bin ("empty" when there is none), with each
// corruption spelled out under its bin.

import type { BinKind, ChainEnd, DoublyLinkedBin, SinglyLinkedBin } from './bins'
import { describeAddress, type HeapSnapshot } from './inspect'
import { HeapMemory, type HeapTarget } from './target'
import { HeapTextBuilder, writeChain, writeProblem, type ChainNode, type HeapSegment } from './text'

export const BIN_KINDS: readonly BinKind[] = ['tcachebins', 'fastbins', 'unsortedbin', 'smallbins', 'largebins']

function plainNodes(addresses: readonly bigint[]): ChainNode[] {
  return addresses.map((address) => ({ address, name: null }))
}

function writeSinglyLinked(out: HeapTextBuilder, bin: SinglyLinkedBin): void {
  out.write(bin.bin.label, 'heading')
  if (bin.count !== null) out.write(` [${String(bin.count).padStart(3)}]`)
  out.write(': ')
  writeChain(out, plainNodes(bin.chain), bin.terminal)
  out.line()
  for (const problem of bin.problems) writeProblem(out, problem.message)
}

/** Chunks, then (when the walk came back) the bin's head in main_arena, which holds the first again. */
function doublyNodes(memory: HeapMemory, snapshot: HeapSnapshot, bin: DoublyLinkedBin, chain: readonly bigint[], end: ChainEnd): { nodes: ChainNode[]; terminal: bigint | null } {
  const nodes = plainNodes(chain)
  switch (end.kind) {
    case 'head':
      nodes.push({ address: bin.head, name: describeAddress(memory, snapshot.arena, bin.head) })
      return { nodes, terminal: chain[0] ?? bin.head }
    case 'loop':
    case 'unreadable':
    case 'misaligned':
      return { nodes, terminal: end.address }
    case 'null':
    case 'too-long':
      return { nodes, terminal: null }
  }
}

function writeDoublyLinked(out: HeapTextBuilder, memory: HeapMemory, snapshot: HeapSnapshot, bin: DoublyLinkedBin): void {
  if (!bin.corrupted) {
    out.write(bin.bin.label, 'heading').write(': ')
    const { nodes, terminal } = doublyNodes(memory, snapshot, bin, bin.forward, bin.forwardEnd)
    writeChain(out, nodes, terminal)
    out.line()
  } else {
    out.write(bin.bin.label, 'heading').line(' [corrupted]', 'error')
    const forward = doublyNodes(memory, snapshot, bin, bin.forward, bin.forwardEnd)
    out.write('FD: ')
    writeChain(out, forward.nodes, forward.terminal)
    out.line()
    const backward = doublyNodes(memory, snapshot, bin, bin.backward, bin.backwardEnd)
    out.write('BK: ')
    writeChain(out, backward.nodes, backward.terminal)
    out.line()
  }
  for (const problem of bin.problems) writeProblem(out, problem.message)
}

function writeSection(out: HeapTextBuilder, memory: HeapMemory, snapshot: HeapSnapshot, kind: BinKind): void {
  out.line(kind, 'heading')
  const bins = snapshot.bins
  switch (kind) {
    case 'tcachebins':
      if (snapshot.tcache === null) out.line('tcache is not initialized yet', 'muted')
      else if (bins.tcache.length === 0) out.line('empty', 'muted')
      else for (const bin of bins.tcache) writeSinglyLinked(out, bin)
      return
    case 'fastbins':
      if (bins.fast.length === 0) out.line('empty', 'muted')
      else for (const bin of bins.fast) writeSinglyLinked(out, bin)
      return
    case 'unsortedbin':
      if (bins.unsorted === null) out.line('empty', 'muted')
      else writeDoublyLinked(out, memory, snapshot, bins.unsorted)
      return
    case 'smallbins':
    case 'largebins': {
      const list = kind === 'smallbins' ? bins.small : bins.large
      if (list.length === 0) out.line('empty', 'muted')
      else for (const bin of list) writeDoublyLinked(out, memory, snapshot, bin)
    }
  }
}

/** `bins` (every kind, in pwndbg's order) or one kind's command. */
export function formatBins(target: HeapTarget, snapshot: HeapSnapshot, kinds: readonly BinKind[] = BIN_KINDS): HeapSegment[] {
  const out = new HeapTextBuilder()
  const memory = new HeapMemory(target)
  for (const kind of kinds) writeSection(out, memory, snapshot, kind)
  return out.build()
}
