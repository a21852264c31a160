// The ptmalloc heap as pwndbg shows it, as a pure library: structured data for the UI and
// pwndbg-style text for the heap commands, read through a HeapTarget (see README.md).

export type { HeapTarget } from './target'
export { inspectHeap, describeAddress, type HeapSnapshot } from './inspect'
export type { Arena, MallocPar, Found } from './arena'
export type { Tcache } from './tcache'
export type { BinKind, BinRef, ChainEnd, DoublyLinkedBin, HeapBins, HeapProblem, SinglyLinkedBin } from './bins'
export type { ChunkFlags, ChunkState, HeapChunk } from './chunks'
export { chunkAt, formatHeap, formatMallocChunk } from './format-chunks'
export { BIN_KINDS, formatBins } from './format-bins'
export { formatArena } from './format-arena'
export { DEFAULT_VIS_COUNT, formatVisHeapChunks, visHeapChunks, type VisHeapChunks, type VisLine, type VisOptions } from './vis'
export { tryFree, type TryFreeCheck, type TryFreeOutcome, type TryFreeResult, type TryFreeSection } from './try-free'
export { formatTryFree, outcomeSummary } from './format-try-free'
export { segmentsText, type HeapSegment } from './text'
