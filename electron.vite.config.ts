import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import renderer from './vite.renderer.config'

const root = import.meta.dirname

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        // One build for every Node entry, so they share chunks and sit next to the worker.
        input: {
          main: resolve(root, 'electron/main/main.ts'),
          'simulation-worker': resolve(root, 'electron/node/simulation-worker.ts'),
          cli: resolve(root, 'electron/node/cli/main.ts'),
          web: resolve(root, 'electron/node/web.ts'),
        },
        output: { entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rolldownOptions: {
        input: { preload: resolve(root, 'electron/main/preload.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer,
})
