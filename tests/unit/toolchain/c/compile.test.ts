import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile, compileFunctions } from '../../../../shared/toolchain/c/compile'
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

describe('compileFunctions: one function at a time', () => {
  const source = (middle: string): string => `int f(void) { return 1; }
static inline int g(void) { return 2; }
int h(void) { return g(); }
${middle}
int k(void) { return 0; }
`
  it('hands the functions on in definition order, those after an inline definition once it is known to be used', () => {
    const seen: string[] = []
    const r = compileFunctions({ 'u.c': source('') }, 'u.c', {}, (fn) => seen.push(fn.name))
    expect(r.text).toBe('')
    expect(seen).toEqual(['f', 'g', 'h', 'k'])
    expect(r.data?.globals).toEqual([])
  })

  it('hands a function on before the rest is parsed, and nothing once an error is found', () => {
    const seen: string[] = []
    const r = compileFunctions({ 'u.c': source('int broken(void) { return 1 +; }') }, 'u.c', {}, (fn) => seen.push(fn.name))
    expect(r.text).toContain("u.c:4:30: error: expected expression before ';' token")
    expect(r.data).toBeUndefined()
    expect(seen).toEqual(['f'])
  })
})
