/** Random printf conversions (flags, width, precision, length, conversion, value) as a C program. */
import { seededFractions } from '../../seeded-random'

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T
}

const INTERESTING = [0n, 1n, 7n, 8n, 9n, 10n, 15n, 16n, 100n, 127n, 128n, 255n, 256n, 4095n, 32767n, 32768n, 65535n, 65536n,
  2147483647n, 2147483648n, 4294967295n, 4294967296n, 9223372036854775807n]

function randomMagnitude(random: () => number): bigint {
  if (random() < 0.6) return pick(random, INTERESTING)
  return BigInt(Math.floor(random() * 2 ** 32)) * (random() < 0.3 ? BigInt(Math.floor(random() * 2 ** 31)) : 1n)
}

interface Conversion {
  readonly spec: string
  readonly argument: string
}

function integerConversion(random: () => number): Conversion {
  const conversion = pick(random, ['d', 'i', 'u', 'x', 'X', 'o', 'c'] as const)
  const flags = [...'-+ #0'].filter(() => random() < 0.25).join('')
  const width = random() < 0.5 ? String(Math.floor(random() * 25)) : ''
  const precision = conversion !== 'c' && random() < 0.4 ? `.${random() < 0.2 ? '' : Math.floor(random() * 22)}` : ''
  const length = conversion === 'c' ? '' : pick(random, ['', '', 'h', 'hh', 'l', 'll', 'z', 'j'] as const)
  const signed = conversion === 'd' || conversion === 'i'
  let value = randomMagnitude(random)
  if (signed && random() < 0.5) value = -value
  const cType = length === '' || length === 'h' || length === 'hh' ? (signed ? 'int' : 'unsigned int') : length === 'z' ? 'unsigned long' : signed ? 'long long' : 'unsigned long long'
  const argument = conversion === 'c' ? String(32 + Number(value % 95n < 0n ? -(value % 95n) : value % 95n)) : `(${cType})${value}LL`
  return { spec: `%${flags}${width}${precision}${length}${conversion}`, argument: conversion === 'c' ? `(int)${argument}` : argument.replace(/(-?\d+)LL$/, (m, digits: string) => (digits.startsWith('-') ? `(-${digits.slice(1)}LL)` : `${digits}ULL`)) }
}

function stringConversion(random: () => number): Conversion {
  const flags = random() < 0.3 ? '-' : ''
  const width = random() < 0.5 ? String(Math.floor(random() * 15)) : ''
  const precision = random() < 0.4 ? `.${Math.floor(random() * 8)}` : ''
  const text = pick(random, ['', 'x', 'memscape', 'heap and stack', 'tab\\there'])
  return { spec: `%${flags}${width}${precision}s`, argument: `"${text}"` }
}

function pointerConversion(random: () => number): Conversion {
  const flags = random() < 0.3 ? '-' : ''
  const width = random() < 0.5 ? String(Math.floor(random() * 22)) : ''
  const value = random() < 0.15 ? 0n : randomMagnitude(random)
  return { spec: `%${flags}${width}p`, argument: `(void *)${value}ULL` }
}

/** A C program with `count` snprintf calls; each line shows the format, the text and the count. */
export function randomFormatProgram(seed: number, count: number): string {
  const random = seededFractions(seed)
  const lines = ['#include <stdio.h>', '', 'int main(void) {', '  char buffer[256];', '  int n;']
  for (let i = 0; i < count; i++) {
    const parts: Conversion[] = []
    const conversions = 1 + Math.floor(random() * 3)
    for (let j = 0; j < conversions; j++) {
      const kind = random()
      parts.push(kind < 0.75 ? integerConversion(random) : kind < 0.9 ? stringConversion(random) : pointerConversion(random))
    }
    const format = parts.map((part) => part.spec).join('|')
    lines.push(`  n = snprintf(buffer, sizeof buffer, "${format}", ${parts.map((part) => part.argument).join(', ')});`)
    lines.push(`  printf("%s => [%s] %d\\n", "${format.replaceAll('%', '%%')}", buffer, n);`)
  }
  lines.push('  return 0;', '}', '')
  return lines.join('\n')
}
