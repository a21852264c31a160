// npm start: the Electron app. Where the Electron binary cannot be had (no network to fetch
// it, as on a build server) it says so in one line and starts browser mode instead.

import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ensureBuilt, root } from './ensure-build.mjs'

ensureBuilt({ force: true })
const bin = (name) => join(root, 'node_modules', '.bin', name)

const install = spawnSync(bin('install-electron'), [], { cwd: root, stdio: 'pipe', encoding: 'utf8' })
const child =
  install.status === 0
    ? spawn(bin('electron-vite'), ['preview', '--skipBuild'], { cwd: root, stdio: 'inherit' })
    : (console.log('Electron is not available here (its binary could not be downloaded); starting browser mode instead.'),
      spawn(process.execPath, [join(root, 'out/main/web.js'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' }))

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code) => process.exit(code ?? 0))
