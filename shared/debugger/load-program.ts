// The workspace's two ways in: build sources (the editor's buffers, a template) with the
// toolchain and -g, or open an executable file. Either replaces the session's program and starts
// it stopped at its first instruction, as the app shows it; a failure leaves the old program.

import { ElfError } from '../machine/elf'
import { buildProgram, sourceKind } from '../toolchain/driver'
import type { BuildRequest, ExecutableFile, LoadReport } from '../protocol/api'
import { decodeBase64 } from '../protocol/base64'
import { checksec } from './pwn'
import type { DebugSession } from './session'

/** Where the learner's programs live in the guest: argv[0] is /home/learner/NAME, as if built there. */
export const LEARNER_DIRECTORY = '/home/learner'

function failure(diagnostics: string): LoadReport {
  return { ok: false, diagnostics, programPath: null, checksec: [] }
}

function install(session: DebugSession, path: string, image: Uint8Array, sources: Record<string, string>, diagnostics: string): LoadReport {
  session.load({ path, image, sources })
  session.launch()
  return { ok: true, diagnostics, programPath: path, checksec: checksec(image).lines }
}

/** The executable's name: the first source's name without its suffix, as `gcc -o overflow overflow.c`. */
function executableName(files: readonly string[]): string {
  const first = files[0] ?? 'a.out'
  return first.replace(/\.[^.]*$/, '') || 'a.out'
}

export function buildIntoSession(session: DebugSession, request: BuildRequest): LoadReport {
  const names = Object.keys(request.files)
  const unknown = names.filter((name) => sourceKind(name) === undefined)
  if (unknown.length > 0) return failure(`${unknown.map((name) => `memscape: ${name}: file format not recognized (use .c, .s or .asm)`).join('\n')}\n`)
  const { pie, stackProtector, execStack } = request.protections
  const result = buildProgram(request.files, names, { debugInfo: true, compilationDirectory: LEARNER_DIRECTORY, pie, stackProtector, execStack })
  if (!result.executable) return failure(result.diagnostics)
  // The line table names sources relative to the compilation directory, as gcc does.
  const sources = Object.fromEntries(Object.entries(request.files).flatMap(([name, text]) => [[name, text], [`${LEARNER_DIRECTORY}/${name}`, text]]))
  return install(session, `${LEARNER_DIRECTORY}/${executableName(names)}`, result.executable, sources, result.diagnostics)
}

export function openIntoSession(session: DebugSession, file: ExecutableFile): LoadReport {
  const path = `${LEARNER_DIRECTORY}/${file.name}`
  const image = decodeBase64(file.elfBase64)
  try {
    return install(session, path, image, {}, '')
  } catch (error) {
    if (error instanceof ElfError) return failure(`"${file.name}": not in executable format: ${error.message}\n`)
    throw error
  }
}
