// The lint rule that enforces ARCHITECTURE.md's layers really fires on a bad import.

import { join } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, test } from 'vitest'

const root = join(import.meta.dirname, '../../..')
const eslint = new ESLint({ cwd: root })

async function restrictedImports(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(root, file) })
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message)
}

describe('layering lint rule', () => {
  test.each([
    ['shared/debugger/bad.ts', "import { SessionHost } from '../../electron/node/host'\nexport const x = SessionHost\n"],
    ['shared/protocol/deep/bad.ts', "import '../../../renderer/src/lib/api'\n"],
    ['shared/bad.ts', "import { app } from 'electron'\nexport const x = app\n"],
    ['shared/machine/bad.ts', "import { readFileSync } from 'node:fs'\nexport const x = readFileSync\n"],
    ['renderer/src/lib/bad.ts', "import { startServer } from '../../../electron/node/server'\nexport const x = startServer\n"],
    ['renderer/src/bad.ts', "import { join } from 'node:path'\nexport const x = join\n"],
  ])('%s fails lint', async (file, source) => {
    expect(await restrictedImports(file, source)).toHaveLength(1)
  })

  test.each([
    ['shared/debugger/good.ts', "import { VERSION } from '../version'\nexport const x = VERSION\n"],
    ['renderer/src/lib/good.ts', "import { VERSION } from '../../../shared/version'\nexport const x = VERSION\n"],
    ['electron/node/good.ts', "import { readFileSync } from 'node:fs'\nimport { VERSION } from '../../shared/version'\nexport const x = [readFileSync, VERSION]\n"],
  ])('%s passes', async (file, source) => {
    expect(await restrictedImports(file, source)).toEqual([])
  })
})
