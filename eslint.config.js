// Lint rules, including the house plan's layering (ARCHITECTURE.md):
//   renderer/ -> shared/ <- electron/
// shared/ imports neither electron/ nor renderer/ (nor Node or Electron), and renderer/ never
// imports electron/ (nor Node).

import js from '@eslint/js'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import svelteConfig from './svelte.config.js'

const NODE_BUILTINS = { regex: '^node:', message: 'Node APIs belong in electron/node; this layer must also run in a browser.' }
const ELECTRON = { name: 'electron', message: 'Electron APIs belong in electron/main.' }
/** A relative import that climbs to the repository root and goes down into `folder`. */
const intoFolder = (folder, message) => ({ regex: `^(\\.\\./)+${folder}(/|$)`, message })
const NO_ELECTRON_FOLDER = intoFolder('electron', 'renderer/ and shared/ must not import electron/ (ARCHITECTURE.md: the layers).')
const NO_RENDERER_FOLDER = intoFolder('renderer', 'shared/ must not import renderer/ (ARCHITECTURE.md: the layers).')

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.native/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { projectService: false, parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig } },
  },
  {
    files: ['electron/**', 'scripts/**', 'bin/memscape', 'tests/**', 'bench/**', '*.config.{js,ts}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [ELECTRON], patterns: [NO_ELECTRON_FOLDER, NODE_BUILTINS] },
      ],
    },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON],
          patterns: [NO_ELECTRON_FOLDER, NO_RENDERER_FOLDER, NODE_BUILTINS],
        },
      ],
    },
  },
)
