// npm test: builds, runs the unit tests (vitest) and the end-to-end tests (Playwright driving
// Chromium against browser mode), then prints one closing line: "N passed, N failed".

import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBuilt, root } from './ensure-build.mjs'

// The worker-thread and e2e tests run the built bundles, so they must match the sources.
ensureBuilt({ force: true })

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const suites = [
  { name: 'unit', args: [], report: '.vitest-unit.json' },
  { name: 'e2e', args: ['--config', 'tests/e2e/vitest.config.ts'], report: '.vitest-e2e.json' },
]

let passed = 0
let failed = 0
let runnerFailed = false
for (const suite of suites) {
  const report = join(root, suite.report)
  rmSync(report, { force: true })
  const run = spawnSync(
    process.execPath,
    [vitest, 'run', ...suite.args, '--reporter=default', '--reporter=json', `--outputFile=${report}`],
    { cwd: root, stdio: 'inherit' },
  )
  if (!existsSync(report)) {
    console.error(`The ${suite.name} tests did not report (vitest exit status ${run.status}).`)
    runnerFailed = true
    continue
  }
  const results = JSON.parse(readFileSync(report, 'utf8'))
  passed += results.numPassedTests
  failed += results.numFailedTests
  // A test file that fails to load has no tests; count it, or it would vanish from the total.
  failed += results.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length
  if (run.status !== 0 && results.numFailedTests === 0 && results.numFailedTestSuites === 0) runnerFailed = true
}

console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 || runnerFailed ? 1 : 0)
