// Messages between the host and a simulation worker, validated on arrival at both ends.

import * as v from 'valibot'
import { BuildRequestSchema, CommandOutputSchema, LoadReportSchema, SessionStateSchema, StopSnapshotSchema } from '../../shared/protocol/schema'

/** Any Uint8Array (v.instance would narrow the type to ArrayBuffer-backed arrays). */
const BytesSchema = v.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected a Uint8Array')

export const WorkerStateSchema = v.omit(SessionStateSchema, ['sessionId'])
export type WorkerState = v.InferOutput<typeof WorkerStateSchema>

export const ProgramLoadSchema = v.strictObject({
  path: v.string(),
  image: BytesSchema,
  argv: v.array(v.string()),
  env: v.array(v.string()),
  seed: v.pipe(v.number(), v.integer()),
  aslr: v.picklist([0, 1, 2]),
  /** Source texts by the path the debug information names them with, for `list` and stop lines. */
  sources: v.optional(v.record(v.string(), v.string())),
})
export type ProgramLoad = v.InferOutput<typeof ProgramLoadSchema>

/** What a worker is started with. */
export const WorkerDataSchema = v.strictObject({
  control: v.instance(SharedArrayBuffer),
  program: v.nullable(ProgramLoadSchema),
})
export type WorkerData = v.InferOutput<typeof WorkerDataSchema>

/** Host to worker. Control requests (run/pause/step/stop) go through the control block instead. */
export const HostMessageSchema = v.variant('type', [
  v.strictObject({ type: v.literal('execute'), requestId: v.pipe(v.number(), v.safeInteger()), line: v.string(), typed: v.boolean() }),
  v.strictObject({ type: v.literal('snapshot'), requestId: v.pipe(v.number(), v.safeInteger()), live: v.boolean() }),
  /** Replace the program: build sources, or open an executable. */
  v.strictObject({ type: v.literal('build'), requestId: v.pipe(v.number(), v.safeInteger()), request: BuildRequestSchema }),
  v.strictObject({ type: v.literal('open-executable'), requestId: v.pipe(v.number(), v.safeInteger()), name: v.string(), elfBase64: v.string() }),
  /** The answer to an input-request: a line for the program's standard input, or null for its end. */
  v.strictObject({ type: v.literal('input'), data: v.nullable(BytesSchema) }),
])
export type HostMessage = v.InferOutput<typeof HostMessageSchema>

/** Worker to host. */
export const WorkerMessageSchema = v.variant('type', [
  /** The worker is up; memory is the guest memory buffer (null without a program). */
  v.strictObject({ type: v.literal('ready'), memory: v.nullable(v.instance(SharedArrayBuffer)), state: WorkerStateSchema }),
  /** The program could not be loaded (bad ELF, bad options); the worker exits after this. */
  v.strictObject({ type: v.literal('load-failed'), message: v.string() }),
  v.strictObject({ type: v.literal('result'), requestId: v.pipe(v.number(), v.safeInteger()), output: CommandOutputSchema }),
  v.strictObject({ type: v.literal('snapshot'), requestId: v.pipe(v.number(), v.safeInteger()), snapshot: v.nullable(StopSnapshotSchema) }),
  v.strictObject({ type: v.literal('loaded'), requestId: v.pipe(v.number(), v.safeInteger()), report: LoadReportSchema }),
  /** A state change; ack is the control request it answers, error why that request was refused. */
  v.strictObject({
    type: v.literal('state'),
    state: WorkerStateSchema,
    ack: v.nullable(v.pipe(v.number(), v.safeInteger())),
    error: v.nullable(v.string()),
  }),
  v.strictObject({ type: v.literal('output'), fd: v.picklist([1, 2]), data: BytesSchema }),
  /** The program waits for standard input (a command is running it). */
  v.strictObject({ type: v.literal('input-request') }),
  /** What a running command printed so far, ahead of the guest's output. */
  v.strictObject({ type: v.literal('console'), output: CommandOutputSchema }),
  /** A debugger `run` started a new machine: guest memory is now this buffer. */
  v.strictObject({ type: v.literal('memory'), memory: v.instance(SharedArrayBuffer) }),
])
export type WorkerMessage = v.InferOutput<typeof WorkerMessageSchema>

export type LoadRequest = Extract<HostMessage, { type: 'build' | 'open-executable' }>
