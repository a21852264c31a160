// Builds a template as the app does (its own build options, -g) and runs it in the machine with its
// input and arguments, for the template tests.

import type { Fault } from '../../../shared/machine/fault'
import { signalName } from '../../../shared/machine/kernel/signals'
import { Machine } from '../../../shared/machine/machine'
import type { MemoryTemplate, TemplateBuild } from '../../../shared/templates'
import { buildProgram, type DriverResult } from '../../../shared/toolchain/driver'

export function buildTemplate(template: MemoryTemplate, build: TemplateBuild = template.build): DriverResult {
  return buildProgram({ [template.fileName]: template.source }, [template.fileName], { ...build, debugInfo: true })
}

export function executableOf(built: DriverResult): Uint8Array {
  if (built.executable === undefined) throw new Error(`the template does not build:\n${built.diagnostics}`)
  return built.executable
}

export interface TemplateRun {
  readonly stdout: string
  readonly stderr: string
  readonly exitCode: number | null
  readonly signal: string | null
  readonly fault: Fault | null
}

export interface RunSettings {
  readonly seed?: number
  readonly aslr?: 0 | 2
}

/** Small programs: a machine reserves its guest memory until collected, so keep it modest. */
const GUEST_MEMORY_BYTES = 64 * 1024 * 1024
const INSTRUCTION_LIMIT = 200_000_000

export function startTemplate(template: MemoryTemplate, image: Uint8Array, settings: RunSettings = {}, terminal = false): Machine {
  return Machine.fromElf(image, {
    argv: [`./${template.fileName.replace(/\.[a-z]+$/, '')}`, ...(template.args ?? [])],
    env: ['LANG=C'],
    seed: settings.seed ?? 7,
    aslr: settings.aslr ?? 2,
    stdin: new TextEncoder().encode(template.stdin ?? ''),
    stdinClosed: true,
    maxMemoryBytes: GUEST_MEMORY_BYTES,
    terminal,
  })
}

/** Runs the template to its end (throws if it neither exits nor is killed). */
export function runTemplate(template: MemoryTemplate, image: Uint8Array, settings: RunSettings = {}): TemplateRun {
  const machine = startTemplate(template, image, settings)
  let stdout = ''
  let stderr = ''
  const decoder = new TextDecoder()
  machine.onOutput = (fd, bytes) => {
    if (fd === 1) stdout += decoder.decode(bytes)
    else stderr += decoder.decode(bytes)
  }
  const status = machine.run(INSTRUCTION_LIMIT)
  if (status.state === 'exited') return { stdout, stderr, exitCode: status.code, signal: null, fault: null }
  if (status.state === 'signaled') return { stdout, stderr, exitCode: null, signal: signalName(status.signal), fault: status.fault }
  throw new Error(`${template.id} did not finish: ${status.state}`)
}

export interface StoppedRun {
  readonly machine: Machine
  /** Where the CPU stopped, as a link address; null when the run ended without reaching one. */
  readonly stoppedAt: number | null
  readonly stdout: string
}

/**
 * Runs until the CPU reaches one of `linkAddresses` (addresses as the executable's debug
 * information gives them, before a PIE's load bias). Standard output is a terminal, so it is line
 * buffered and `stdout` holds every line printed before the stop, as the app's terminal shows.
 */
export function runToBreakpoint(template: MemoryTemplate, image: Uint8Array, linkAddresses: readonly number[]): StoppedRun {
  const machine = startTemplate(template, image, {}, true)
  let stdout = ''
  const decoder = new TextDecoder()
  machine.onOutput = (fd, bytes) => {
    if (fd === 1) stdout += decoder.decode(bytes)
  }
  const bias = machine.process.loadBias
  for (const address of linkAddresses) machine.cpu.setBreakpoint(address + bias)
  machine.run(INSTRUCTION_LIMIT)
  return { machine, stoppedAt: machine.debugStop === 'breakpoint' ? machine.cpu.r.rip - bias : null, stdout }
}
