import { type Command } from '../command'
import type { Inferior } from '../inferior'
import type { OutputBuilder } from '../output'
import { describeInstruction, describeStep } from '../provenance/describe'
import { describeSource, type Origin } from '../provenance/origins'
import { memoryProvenance, registerProvenance, windowText, type ProvenanceRun } from '../provenance/query'
import { parseTargetBytes } from '../provenance/target-bytes'
import { traceHistoryAsync, withinShadowLimit } from '../provenance/trace'
import { hex } from '../report'

const USAGE = 'an address, and a length in bytes'

function hexBytes(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')
}

/** The instruction behind an origin, shown under the run (the read that brought input in, the computing instruction). */
function originStepLine(inferior: Inferior, origin: Origin): string | null {
  if ((origin.kind === 'stdin' || origin.kind === 'file') && origin.by) return `read by ${describeStep(inferior, origin.by)}`
  if (origin.kind === 'computed' || origin.kind === 'constant' || origin.kind === 'kernel') return `by ${describeStep(inferior, origin.step)}`
  return null
}

function printRuns(inferior: Inferior, out: OutputBuilder, runs: readonly ProvenanceRun[], bytes: Uint8Array, label: (run: ProvenanceRun) => string): void {
  for (const run of runs) {
    out.write(label(run), 'address')
    out.write(`  ${hexBytes(bytes.subarray(run.offset, run.offset + run.length))}  `, 'value')
    out.line(describeSource(run.first, run.last))
    const origin = originStepLine(inferior, run.first)
    if (origin) out.line(`    ${origin}`, 'muted')
    const writer = run.writers[run.writers.length - 1]
    const sameAsOrigin = (run.first.kind === 'computed' || run.first.kind === 'constant' || run.first.kind === 'kernel') && run.first.step === writer
    const readInto = (run.first.kind === 'stdin' || run.first.kind === 'file') && run.first.by === writer
    if (!writer || sameAsOrigin || readInto) continue
    if (run.writers.length === 1) out.line(`    stored at ${describeStep(inferior, writer)}`, 'muted')
    else out.line(`    stored ${run.writers.length} times, at instructions ${run.writers[0]!.count} to ${writer.count}, by ${describeInstruction(inferior, writer)}`, 'muted')
  }
}

export const provenanceCommand: Command = {
  name: 'provenance',
  category: 'data',
  runsProgram: true,
  summary: 'Show where each byte of some memory (or a register) came from.',
  documentation: [
    'Show where each byte of some memory (or a register) came from.',
    'Usage: provenance ADDR [LEN]    or    provenance $REGISTER',
    'For each run of bytes: an input byte (stdin offset, argv[i][j], the environment, a file offset),',
    'a constant of the program image (.data/.rodata and its file offset), or the instruction that',
    'computed it (instruction count, address, source line), followed through loads, stores,',
    'register moves, push/pop, string instructions and the system calls that copy data; and the',
    'instruction that last stored it. The recorded run is re-executed from an earlier checkpoint',
    '(at most a few million instructions) with every byte labelled; the answer says how far back it looked.',
    'Example: provenance $rsp 8',
  ].join('\n'),
  async run(args, out, { session }) {
    const inferior = session.requireLive()
    const target = parseTargetBytes(session, args, USAGE)
    const trace = await withinShadowLimit(() => traceHistoryAsync(session, inferior))
    if (!trace) {
      out.line('Interrupted: nothing was worked out, and the program is where it was.')
      return
    }
    const window = windowText(trace, inferior.recorder.earliestReachable)
    if (target.kind === 'register') {
      const runs = registerProvenance(trace, target.name)
      const value = inferior.register(target.name)
      if (!runs || value === undefined) {
        out.line(`${target.name} is not followed byte by byte: only the general registers and xmm0-15 are.`)
        return
      }
      const bytes = new Uint8Array(runs.reduce((n, run) => n + run.length, 0))
      new DataView(bytes.buffer).setBigUint64(0, value & 0xffffffffffffffffn, true)
      if (bytes.length === 16) bytes.set(new Uint8Array(inferior.machine.cpu.r.xmm.buffer, Number(target.name.slice(3)) * 16, 16))
      out.line(`Provenance of ${target.name} (examined ${window}):`)
      printRuns(inferior, out, runs, bytes, (run) => `byte${run.length === 1 ? ` ${run.offset}` : `s ${run.offset}-${run.offset + run.length - 1}`}`)
      return
    }
    const { address, length } = target
    const bytes = inferior.machine.memory.peek(address, length).data
    out.line(`Provenance of ${length} byte${length === 1 ? '' : 's'} at ${hex(address)} (examined ${window}):`)
    printRuns(inferior, out, memoryProvenance(trace, address, length), bytes, (run) => hex(address + run.offset))
  },
}
