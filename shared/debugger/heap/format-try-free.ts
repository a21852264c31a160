// `try_free ADDR` as text: each check glibc would make, in order, then the verdict.

import { regularBinRef, type BinRef } from './bins'
import { binIndex, chunkSize } from './layout'
import { hex, HeapTextBuilder, type HeapSegment } from './text'
import type { TryFreeOutcome, TryFreeResult } from './try-free'

function describeBin(bin: BinRef): string {
  return `${bin.kind}[${bin.label}]`
}

export function outcomeSummary(outcome: TryFreeOutcome): string {
  switch (outcome.kind) {
    case 'nothing':
      return 'free(NULL) does nothing'
    case 'abort':
      return `free() would abort: ${outcome.message}`
    case 'crash':
      return `free() would crash (SIGSEGV): it reads ${outcome.reading} at ${hex(outcome.address)}, which is not mapped`
    case 'tcache':
      return `the chunk would go to tcachebins[${outcome.bin.label}] (count ${outcome.countAfter})`
    case 'fastbin':
      return `the chunk would go to fastbins[${outcome.bin.label}]`
    case 'unsorted':
      return `the chunk would go to the unsorted bin as ${hex(outcome.chunk)}, size ${hex(outcome.size)} (a later malloc() sorts it into ${describeBin(regularBinRef(binIndex(outcome.size)))})`
    case 'top':
      return `the chunk would merge into the top chunk, which would start at ${hex(outcome.chunk)} with size ${hex(outcome.size)}`
    case 'munmap':
      return `the chunk is mmapped: free() would munmap ${hex(outcome.length)} bytes at ${hex(outcome.address)}`
    case 'other-arena':
      return `the chunk has NON_MAIN_ARENA set: free() would use the thread arena named by the heap_info at ${hex(outcome.heapInfo)} (try_free follows main_arena only)`
  }
}

export function formatTryFree(result: TryFreeResult): HeapSegment[] {
  const out = new HeapTextBuilder()
  out.write(`free(${hex(result.pointer)}): chunk `).write(hex(result.chunk), 'address')
  if (result.sizeField !== null) out.write(`, size ${hex(chunkSize(result.sizeField))} (with flag bits: ${hex(result.sizeField)})`)
  out.line()
  let section: string | null = null
  for (const check of result.checks) {
    if (check.section !== section) {
      section = check.section
      out.line(section, 'heading')
    }
    out.write(check.passed ? '  ✓ ' : '  ✗ ', check.passed ? 'muted' : 'error')
    out.write(check.message, check.passed ? 'plain' : 'error').line(`: ${check.detail}`)
  }
  for (const note of result.notes) out.line(`  note: ${note}`, 'muted')
  const failed = result.outcome.kind === 'abort' || result.outcome.kind === 'crash'
  out.line(outcomeSummary(result.outcome), failed ? 'error' : 'value')
  return out.build()
}
