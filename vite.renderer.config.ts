// The renderer build, used by electron-vite and by plain vite (browser-mode development).

import { resolve } from 'node:path'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vite'

const root = import.meta.dirname
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
}

export default defineConfig({
  root: resolve(root, 'renderer'),
  base: './',
  plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') })],
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  build: {
    outDir: resolve(root, 'out/renderer'),
    emptyOutDir: true,
    rolldownOptions: { input: { index: resolve(root, 'renderer/index.html') } },
  },
})
