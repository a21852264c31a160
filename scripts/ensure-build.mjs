// Builds the app (npm run build) unless every bundle the scripts start is already there.

import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const root = join(import.meta.dirname, '..')
const BUNDLES = ['out/main/main.js', 'out/main/web.js', 'out/main/cli.js', 'out/main/simulation-worker.js', 'out/preload/preload.cjs', 'out/renderer/index.html']

export function ensureBuilt({ force = false } = {}) {
  if (!force && BUNDLES.every((file) => existsSync(join(root, file)))) return
  const build = spawnSync('npm', ['run', 'build', '--silent', '--', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) {
    console.error('The build failed (npm run build); see the errors above.')
    process.exit(build.status ?? 1)
  }
}
