// Tests of worker threads run the built worker: Node cannot start a .ts file as a Worker.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

export const repoRoot = join(import.meta.dirname, '..', '..', '..')

export function builtWorkerUrl(): URL {
  const file = join(repoRoot, 'out', 'main', 'simulation-worker.js')
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" before the tests (npm test does)`)
  return pathToFileURL(file)
}
