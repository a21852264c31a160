// valibot schemas for everything that crosses a process boundary: request and response
// envelopes, each method's parameters and result, and events. Both ends validate.

import * as v from 'valibot'
import { OUTPUT_STYLES, type CommandOutput } from '../debugger/output'
import type { StopSnapshot } from '../debugger/snapshot'
import type { Fault, FaultKind } from '../machine/fault'
import { ADDRESS_PATTERN } from './address'
import { BASE64_PATTERN } from './base64'
import { MAX_READ_BYTES, type MemscapeApi, type MemscapeEvent, type MethodName, type RunState } from './api'

const MAX_LINE_LENGTH = 4096
const MAX_STRING_ITEMS = 1024

export const SessionIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'a session id is 1-64 letters, digits, "-" or "_"'))

const FAULT_KINDS = [
  'unmapped',
  'protection',
  'no-execute',
  'non-canonical',
  'kernel-address',
  'invalid-opcode',
  'divide-error',
  'stack-overflow',
  'stack-smashing',
  'allocator-abort',
  'abort',
] as const satisfies readonly FaultKind[]

export const FaultSchema = v.strictObject({
  kind: v.picklist(FAULT_KINDS),
  signal: v.pipe(v.number(), v.integer()),
  address: v.nullable(v.string()),
  ip: v.string(),
  access: v.nullable(v.picklist(['read', 'write', 'exec'])),
  errorCode: v.nullable(v.pipe(v.number(), v.integer())),
  message: v.string(),
  bytes: v.optional(v.string()),
}) satisfies v.GenericSchema<unknown, Fault>

const RUN_STATES = [
  'no-program',
  'ready',
  'running',
  'paused',
  'waiting-input',
  'exited',
  'signaled',
  'stopped',
  'crashed',
] as const satisfies readonly RunState[]

export const SessionStateSchema = v.strictObject({
  sessionId: SessionIdSchema,
  run: v.picklist(RUN_STATES),
  instructionCount: v.pipe(v.number(), v.integer(), v.minValue(0)),
  exitCode: v.nullable(v.pipe(v.number(), v.integer())),
  signal: v.nullable(v.pipe(v.number(), v.integer())),
  fault: v.nullable(FaultSchema),
  error: v.nullable(v.string()),
})

export const CommandOutputSchema = v.strictObject({
  ok: v.boolean(),
  segments: v.array(v.strictObject({ text: v.string(), style: v.picklist(OUTPUT_STYLES) })),
}) satisfies v.GenericSchema<unknown, CommandOutput>

const Base64Schema = v.pipe(v.string(), v.regex(BASE64_PATTERN, 'must be padded base64'))
const StringListSchema = v.pipe(v.array(v.pipe(v.string(), v.maxLength(MAX_LINE_LENGTH))), v.maxLength(MAX_STRING_ITEMS))

export const OpenSessionOptionsSchema = v.strictObject({
  program: v.optional(
    v.strictObject({
      path: v.pipe(v.string(), v.startsWith('/', 'the program path must be absolute')),
      elfBase64: Base64Schema,
      sources: v.optional(v.record(v.string(), v.string())),
    }),
  ),
  argv: v.optional(StringListSchema),
  env: v.optional(StringListSchema),
  seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff_ffff))),
  aslr: v.optional(v.picklist([0, 1, 2])),
})

const AddressSchema = v.pipe(v.string(), v.regex(ADDRESS_PATTERN, 'an address is "0x" followed by 1-16 hex digits'))
const ReadLengthSchema = v.pipe(
  v.number(),
  v.integer('a length is a whole number'),
  v.minValue(1, 'a length is at least 1'),
  v.maxValue(MAX_READ_BYTES, `a length is at most ${MAX_READ_BYTES}`),
)

const HexSchema = v.pipe(v.string(), v.regex(ADDRESS_PATTERN))

export const StopSnapshotSchema = v.strictObject({
  instructionCount: v.pipe(v.number(), v.safeInteger()),
  phase: v.picklist(['alive', 'signaled', 'gone']),
  signal: v.nullable(v.number()),
  registers: v.array(v.strictObject({ name: v.string(), value: HexSchema, changed: v.boolean(), note: v.nullable(v.string()) })),
  frames: v.array(
    v.strictObject({
      level: v.number(),
      functionName: v.nullable(v.string()),
      pc: HexSchema,
      cfa: HexSchema,
      file: v.nullable(v.string()),
      line: v.nullable(v.number()),
      slots: v.array(
        v.strictObject({
          address: HexSchema,
          size: v.number(),
          role: v.picklist(['return-address', 'saved-rbp', 'canary', 'argument', 'local', 'padding']),
          name: v.optional(v.string()),
          note: v.optional(v.string()),
          corrupted: v.boolean(),
        }),
      ),
    }),
  ),
  disassembly: v.array(v.strictObject({ address: HexSchema, bytes: v.string(), text: v.string(), current: v.boolean(), symbol: v.nullable(v.string()) })),
  source: v.nullable(v.strictObject({ file: v.string(), line: v.number() })),
  regions: v.array(
    v.strictObject({ start: HexSchema, end: HexSchema, perms: v.string(), name: v.string(), kind: v.picklist(['code', 'stack', 'heap', 'data', 'rodata', 'rwx', 'none']) }),
  ),
  heap: v.nullable(
    v.strictObject({
      chunks: v.array(
        v.strictObject({
          address: HexSchema,
          size: v.number(),
          state: v.picklist(['allocated', 'free', 'top']),
          bins: v.array(v.string()),
          flags: v.string(),
          note: v.nullable(v.string()),
        }),
      ),
      bins: v.array(
        v.strictObject({
          kind: v.picklist(['tcachebins', 'fastbins', 'unsortedbin', 'smallbins', 'largebins']),
          label: v.string(),
          count: v.nullable(v.number()),
          chunks: v.array(HexSchema),
          end: v.strictObject({ kind: v.picklist(['null', 'head', 'loop', 'unreadable', 'misaligned', 'too-long']), address: v.nullable(HexSchema) }),
          problems: v.array(v.string()),
        }),
      ),
      problems: v.array(v.string()),
    }),
  ),
  changed: v.array(v.strictObject({ address: HexSchema, length: v.number() })),
  breakpoints: v.array(
    v.strictObject({
      number: v.number(),
      kind: v.picklist(['breakpoint', 'watch', 'rwatch', 'awatch']),
      enabled: v.boolean(),
      addresses: v.array(HexSchema),
      lines: v.array(v.strictObject({ file: v.string(), line: v.number() })),
      expression: v.nullable(v.string()),
    }),
  ),
}) satisfies v.GenericSchema<unknown, StopSnapshot>

/** A plain file name: no directories, so a guest path built from it stays where it is put. */
const FileNameSchema = v.pipe(v.string(), v.regex(/^[^/\0]{1,255}$/, 'a file name is 1-255 characters without "/"'), v.check((name) => name !== '.' && name !== '..', 'a file name is not "." or ".."'))

/** The largest source set a build takes: a template is a few KiB, a learner's project a few hundred. */
const MAX_SOURCE_CHARS = 4 * 1024 * 1024

export const BuildRequestSchema = v.strictObject({
  files: v.pipe(
    v.record(FileNameSchema, v.string()),
    v.check((files) => Object.keys(files).length > 0, 'a build needs at least one source file'),
    v.check((files) => Object.values(files).reduce((sum, text) => sum + text.length, 0) <= MAX_SOURCE_CHARS, `the sources are at most ${MAX_SOURCE_CHARS} characters`),
  ),
  protections: v.strictObject({
    pie: v.boolean(),
    stackProtector: v.picklist(['none', 'default', 'strong', 'all']),
    execStack: v.boolean(),
  }),
})

export const LoadReportSchema = v.strictObject({
  ok: v.boolean(),
  diagnostics: v.string(),
  programPath: v.nullable(v.string()),
  checksec: v.array(v.strictObject({ key: v.string(), value: v.string(), tone: v.optional(v.picklist(['good', 'warning', 'bad'])) })),
})

const LineSchema = v.pipe(v.string(), v.maxLength(MAX_LINE_LENGTH, `a command line is at most ${MAX_LINE_LENGTH} characters`))

type Params<M extends MethodName> = Parameters<MemscapeApi[M]>
type Result<M extends MethodName> = Awaited<ReturnType<MemscapeApi[M]>>

/** Per method: the positional parameters (a tuple) and the result. */
export const METHODS: { [M in MethodName]: { params: v.GenericSchema<unknown, Params<M>>; result: v.GenericSchema<unknown, Result<M>> } } = {
  version: {
    params: v.strictTuple([]),
    result: v.strictObject({ name: v.string(), version: v.string() }),
  },
  openSession: {
    params: v.union([v.strictTuple([]), v.strictTuple([OpenSessionOptionsSchema])]),
    result: SessionStateSchema,
  },
  closeSession: {
    params: v.strictTuple([SessionIdSchema]),
    // JSON has no undefined: the wire carries null.
    result: v.pipe(v.null(), v.transform(() => undefined)),
  },
  sessionState: {
    params: v.strictTuple([SessionIdSchema]),
    result: SessionStateSchema,
  },
  execute: {
    params: v.strictTuple([SessionIdSchema, LineSchema, v.optional(v.strictObject({ typed: v.optional(v.boolean()) }))]),
    result: CommandOutputSchema,
  },
  readMemory: {
    params: v.strictTuple([SessionIdSchema, AddressSchema, ReadLengthSchema]),
    result: v.strictObject({
      address: AddressSchema,
      bytes: v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(255))),
      mapped: v.array(v.boolean()),
    }),
  },
  control: {
    params: v.strictTuple([SessionIdSchema, v.picklist(['run', 'pause', 'step', 'stop'])]),
    result: SessionStateSchema,
  },
  sendInput: {
    params: v.strictTuple([SessionIdSchema, v.nullable(Base64Schema)]),
    result: v.pipe(v.null(), v.transform(() => undefined)),
  },
  snapshot: {
    params: v.strictTuple([SessionIdSchema, v.optional(v.strictObject({ live: v.optional(v.boolean()) }))]),
    result: v.nullable(StopSnapshotSchema),
  },
  build: {
    params: v.strictTuple([SessionIdSchema, BuildRequestSchema]),
    result: LoadReportSchema,
  },
  openExecutable: {
    params: v.strictTuple([SessionIdSchema, v.strictObject({ name: FileNameSchema, elfBase64: Base64Schema })]),
    result: LoadReportSchema,
  },
}

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[]

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHODS, name)
}

const RequestIdSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(0))

/** {id, method, params}: params is always an array (positional, like the TypeScript call). */
export const RequestSchema = v.strictObject({
  id: RequestIdSchema,
  method: v.string(),
  params: v.array(v.unknown()),
})
export type Request = v.InferOutput<typeof RequestSchema>

const ErrorBodySchema = v.strictObject({
  code: v.picklist([
    'bad-message',
    'unknown-method',
    'invalid-params',
    'no-such-session',
    'invalid-state',
    'failed',
    'disconnected',
    'bad-response',
  ]),
  message: v.string(),
})

export const EventSchema = v.variant('type', [
  v.strictObject({ type: v.literal('state'), state: SessionStateSchema }),
  v.strictObject({ type: v.literal('output'), sessionId: SessionIdSchema, fd: v.picklist([1, 2]), dataBase64: Base64Schema }),
  v.strictObject({ type: v.literal('console'), sessionId: SessionIdSchema, output: CommandOutputSchema }),
  v.strictObject({ type: v.literal('input-request'), sessionId: SessionIdSchema }),
]) satisfies v.GenericSchema<unknown, MemscapeEvent>

/** What the host sends: a result, an error (id null when the request had no usable id) or an event. */
export const ServerMessageSchema = v.union([
  v.strictObject({ id: RequestIdSchema, result: v.unknown() }),
  v.strictObject({ id: v.nullable(RequestIdSchema), error: ErrorBodySchema }),
  v.strictObject({ event: EventSchema }),
])
export type ServerMessage = v.InferOutput<typeof ServerMessageSchema>
export type ErrorBody = v.InferOutput<typeof ErrorBodySchema>

/** One readable sentence from valibot issues, with the path of each problem. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .map((issue) => {
      const path = issue.path?.map((item) => String(item.key)).join('.')
      return path ? `${path}: ${issue.message}` : issue.message
    })
    .join('; ')
}
