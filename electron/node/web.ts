// `npm run web`: browser mode. Serves the built app on 127.0.0.1 and prints its URL.

import { parseArgs } from 'node:util'
import { SessionHost } from './host'
import { builtRendererDir, startServer } from './server'

const DEFAULT_PORT = 5190

async function main(): Promise<void> {
  // --renderer DIR serves a renderer built elsewhere (scripts/look.mjs builds private copies).
  const { values } = parseArgs({ options: { port: { type: 'string' }, renderer: { type: 'string' } } })
  const requested = values.port === undefined ? DEFAULT_PORT : Number(values.port)
  if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
    throw new Error(`--port must be a port number (0-65535), not "${values.port}"`)
  }
  const host = new SessionHost({ workerUrl: new URL('./simulation-worker.js', import.meta.url) })
  const rendererDir = values.renderer ?? builtRendererDir(import.meta.dirname)
  const server = await startServer({ host, rendererDir, port: requested }).catch((error: NodeJS.ErrnoException) => {
    // The default port may be taken (another Memscape); any free port will do then.
    if (error.code === 'EADDRINUSE' && values.port === undefined) return startServer({ host, rendererDir, port: 0 })
    throw error
  })
  console.log(`Memscape (browser mode): ${server.url}`)
  const shutdown = (): void => {
    void Promise.all([server.close(), host.closeAll()]).then(() => process.exit(0))
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}

main().catch((error: unknown) => {
  console.error(`memscape web: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
