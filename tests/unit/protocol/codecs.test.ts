import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { formatAddress, parseAddress } from '../../../shared/protocol/address'
import { decodeBase64, encodeBase64 } from '../../../shared/protocol/base64'
import { VERSION } from '../../../shared/version'

test('base64 matches Node for every length and byte value', () => {
  for (let length = 0; length < 70; length++) {
    const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff)
    const text = encodeBase64(bytes)
    expect(text).toBe(Buffer.from(bytes).toString('base64'))
    expect(decodeBase64(text)).toEqual(bytes)
  }
})

test('base64 rejects anything that is not canonical padded text', () => {
  for (const bad of ['abc', 'ab=c', '####', 'YQ', 'YQ===']) expect(() => decodeBase64(bad)).toThrow(RangeError)
})

test('addresses are hex text, bigint-exact up to 64 bits', () => {
  expect(parseAddress('0xffffffffffffffff')).toBe(2n ** 64n - 1n)
  expect(formatAddress(parseAddress('0x7FFF0000'))).toBe('0x7fff0000')
  expect(() => parseAddress('0x1ffffffffffffffff')).toThrow('is not an address')
  expect(() => parseAddress('4096')).toThrow('expected 0x followed by 1-16 hex digits')
})

test('shared/version.ts matches package.json', () => {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string }
  expect(VERSION).toBe(pkg.version)
})
