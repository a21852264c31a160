import { defineConfig } from 'vitest/config'

// Benchmarks are vitest tests that measure and print a table (bench/report.ts); they run one
// file at a time so they do not compete for the CPU.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
})
