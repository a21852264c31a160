import { afterAll, describe, expect, test } from 'vitest'
import { cpp } from '@codemirror/lang-cpp'
import { EditorState } from '@codemirror/state'
import { addressFromOutput, FactsPerStop, hoverTargetAt, variableFacts } from '../../../renderer/src/lib/editor/hover'
import { buildWithMemscape, drive, scratch, SOURCE } from '../debugger/views/harness'

const stateOf = (text: string): EditorState => EditorState.create({ doc: text, extensions: [cpp()] })
/** The hover target with the pointer on the n-th occurrence of `word` (its second character). */
function hoverOn(text: string, word: string, occurrence = 0): ReturnType<typeof hoverTargetAt> {
  let at = -1
  for (let i = 0; i <= occurrence; i++) at = text.indexOf(word, at + 1)
  return hoverTargetAt(stateOf(text), at + 1)
}

describe('hoverTargetAt', () => {
  const code = `#include <stdio.h>
#define LIMIT 4
struct node { int value; struct node *next; };
int total;
int sum(struct node *list);
int sum(struct node *list) {
  // list is walked once
  int count = 0;
  for (struct node *p = list; p; p = p->next) count += p->next->value;
  printf("count %d", count);
  return count;
}
`
  test('a name, with the function whose body holds it', () => {
    expect(hoverOn(code, 'count', 0)).toMatchObject({ expression: 'count', functionName: 'sum' })
    expect(hoverOn(code, 'total')).toMatchObject({ expression: 'total', functionName: null })
  })

  test('a field is read with the chain before it', () => {
    expect(hoverOn(code, 'value', 1)).toMatchObject({ expression: 'p->next->value' })
    expect(hoverOn(code, 'next', 2)).toMatchObject({ expression: 'p->next' })
  })

  test('nothing on keywords, types, literals, comments, macros and prototype parameters', () => {
    for (const [word, occurrence] of [['return', 0], ['int', 1], ['"count', 0], ['walked', 0], ['LIMIT', 0], ['stdio', 0], ['list', 0]] as const) {
      expect(hoverOn(code, word, occurrence), word).toBeNull()
    }
    expect(hoverOn(code, 'list', 1)).toMatchObject({ expression: 'list', functionName: 'sum' })
  })
})

test("the address gdb prints for &x, whatever the pointer's type", () => {
  expect(addressFromOutput('(int *) 0x7fffffffe3cc')).toBe(0x7fffffffe3ccn)
  expect(addressFromOutput('(char (*)[16]) 0x7fffffffe3d0')).toBe(0x7fffffffe3d0n)
  expect(addressFromOutput('(int (*)(int)) 0x401136 <square>')).toBe(0x401136n)
  expect(addressFromOutput('No symbol "x" in current context.')).toBeNull()
})

describe("variableFacts asks Memscape's debugger", () => {
  const { dir, cleanUp } = scratch()
  afterAll(cleanUp)
  const built = buildWithMemscape(dir, 'views', SOURCE)

  test('the value as print shows it, the address and the size, without touching the value history', async () => {
    const driven = drive(built)
    await driven.run('break views.c:28')
    await driven.run('run')
    const facts = await variableFacts('buf', (line) => driven.run(line))
    const slot = driven.session.frames()[0]
    expect(slot?.functionName).toBe('main')
    expect(facts?.value).toBe(await driven.text('output buf'))
    expect(facts?.size).toBe(16)
    expect(facts?.address).toBe(BigInt((await driven.text('output/x (long)&buf')).trim()))
    expect(await variableFacts('origin.name', (line) => driven.run(line))).toMatchObject({ value: '"origin\\000"', size: 8 })
    // A function is code: its value, no bytes to highlight.
    expect(await variableFacts('square', (line) => driven.run(line))).toMatchObject({ address: null, size: null })
    expect(await variableFacts('nosuchname', (line) => driven.run(line))).toBeNull()
    // The learner's next print is still $1.
    expect(await driven.text('print g')).toMatch(/^\$1 = /)
  })
})

test('answers are kept for one stop, asked again after the next', async () => {
  const cache = new FactsPerStop()
  let asked = 0
  const ask = async (): Promise<null> => {
    asked++
    return null
  }
  await cache.get(1, 'x', ask)
  await cache.get(1, 'x', ask)
  expect(asked).toBe(1)
  await cache.get(2, 'x', ask)
  expect(asked).toBe(2)
})
