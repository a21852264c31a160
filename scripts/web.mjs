// npm run web: browser mode. Builds if needed, then serves the app on 127.0.0.1.
// Extra arguments go to the server (e.g. npm run web -- --port 8080).

import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { ensureBuilt, root } from './ensure-build.mjs'

ensureBuilt()
const server = spawn(process.execPath, [join(root, 'out/main/web.js'), ...process.argv.slice(2)], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal))
server.on('exit', (code) => process.exit(code ?? 0))
