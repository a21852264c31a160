// npm run bench: builds, then runs bench/**/*.bench.ts (each prints a table of figures).

import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ensureBuilt, root } from './ensure-build.mjs'

ensureBuilt({ force: true })
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const run = spawnSync(process.execPath, [vitest, 'run', '--config', 'vitest.bench.config.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
})
process.exit(run.status ?? 1)
