import { expect, test } from 'vitest'
import { OutputBuilder, toAnsi } from '../../../shared/debugger'

const output = new OutputBuilder().write('List', 'heading').line(':').line('bad', 'error').build(true)

test('xterm gets CRLF line ends and SGR colours per style', () => {
  expect(toAnsi(output, { newline: '\r\n', colour: true })).toBe('\x1b[1mList\x1b[0m:\r\n\x1b[31mbad\r\n\x1b[0m')
})

test('without colour the text is plain', () => {
  expect(toAnsi(output, { newline: '\n', colour: false })).toBe('List:\nbad\n')
})

test('the builder merges adjacent segments of one style', () => {
  expect(new OutputBuilder().write('a').write('b').line('c').build(true).segments).toEqual([{ text: 'abc\n', style: 'plain' }])
})
