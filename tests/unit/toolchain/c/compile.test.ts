import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../../../shared/toolchain/c/compile'
import { validateModule } from '../../../../shared/toolchain/ir/validate'

const FIXTURES = join(import.meta.dirname, '../../../fixtures/toolchain-c')
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8')

describe('compile to IR', () => {
  it('compiles the feature sampler to a valid IR module', () => {
    const r = compile({ 'features.c': fixture('features.c'), 'mini.h': fixture('mini.h') }, 'features.c')
    expect(r.text).toBe('')
    expect(r.ir).toBeDefined()
    expect(validateModule(r.ir!)).toEqual([])
  })
})
