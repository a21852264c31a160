import { describe, expect, test } from 'vitest'
import { evaluatePayload } from '../../../shared/debugger/pwn'
import { parseRunArguments } from '../../../shared/debugger/launch'
import { argumentsLine, payloadLiteral } from '../../../renderer/src/lib/run-input'

describe('run input in the debugger\'s words', () => {
  test.each([[['plain', 'two words', "it's", ''], ['--flag=1']]])('set args quotes what the shell would split: %j', (...groups) => {
    for (const args of groups) expect(parseRunArguments(argumentsLine(args)).args).toEqual(args)
  })

  test('input gets back exactly the bytes of the text, escapes and UTF-8 included', () => {
    const text = 'AAAAAAAA"\\\n\tcafé\x00'
    expect(payloadLiteral(text)).toBe('b"AAAAAAAA\\x22\\x5c\\x0a\\x09caf\\xc3\\xa9\\x00"')
    expect([...evaluatePayload(payloadLiteral(text))]).toEqual([...new TextEncoder().encode(text)])
  })
})
