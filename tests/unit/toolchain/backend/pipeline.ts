/** IR → assembly → object → executable → native run, for back-end tests. */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { assemble } from '../../../../shared/toolchain/asm/assembler'
import { formatDiagnostic, type ObjectFile } from '../../../../shared/toolchain/asm/object'
import type { IrModule } from '../../../../shared/toolchain/ir/types'
import { validateModule } from '../../../../shared/toolchain/ir/validate'
import { buildFromIr } from '../../../../shared/toolchain/link/build'
import type { CodegenOptions } from '../../../../shared/toolchain/x86/codegen'
import { runNative, scratchDir } from './gnu'

const RUNTIME_SOURCE = readFileSync(join(import.meta.dirname, '../../../fixtures/toolchain/runtime.asm'), 'utf8')

export function assembleOrFail(source: string, fileName: string): ObjectFile {
  const result = assemble(source, fileName)
  if (result.object === undefined) {
    const numbered = source.split('\n').map((line, i) => `${i + 1}: ${line}`).join('\n')
    throw new Error(`${result.diagnostics.map(formatDiagnostic).join('\n')}\n${numbered}`)
  }
  return result.object
}

export function buildExecutable(module: IrModule, options: CodegenOptions & { execStack?: boolean }): { path: string; assembly: string } {
  expect(validateModule(module)).toEqual([])
  const runtime = assembleOrFail(RUNTIME_SOURCE, 'runtime.asm')
  const result = buildFromIr(module, options, [runtime])
  if (result.executable === undefined) {
    const numbered = result.assembly.split('\n').map((line, i) => `${i + 1}: ${line}`).join('\n')
    throw new Error(`${result.errors.join('\n')}\n${numbered}`)
  }
  const path = join(scratchDir(), 'program')
  writeFileSync(path, result.executable)
  chmodSync(path, 0o755)
  return { path, assembly: result.assembly }
}

export function buildAndRun(module: IrModule, options: CodegenOptions, input = ''): ReturnType<typeof runNative> & { assembly: string } {
  const { path, assembly } = buildExecutable(module, options)
  return { ...runNative(path, input), assembly }
}
