// The terminal's line editing: history, completion, reverse search, Ctrl-C and Ctrl-L.

import { describe, expect, test } from 'vitest'
import { LineEditor } from '../../../renderer/src/lib/line-editor'

const typed = (editor: LineEditor, keys: string) => editor.handle(keys)

describe('LineEditor', () => {
  test('Enter submits the line and keeps it in the history (arrows browse it)', () => {
    const editor = new LineEditor('> ')
    expect(typed(editor, 'break main\r').submitted).toEqual(['break main'])
    expect(typed(editor, 'run\r').submitted).toEqual(['run'])
    typed(editor, '\x1b[A\x1b[A')
    expect(typed(editor, '\r').submitted).toEqual(['break main'])
  })

  test('Tab asks for the completions of the text before the cursor; one completion replaces it', () => {
    const editor = new LineEditor('> ')
    const result = typed(editor, 'b ma\t')
    expect(result.completion).toBe('b ma')
    editor.completeWith(['b main'])
    expect(typed(editor, '\r').submitted).toEqual(['b main '])
  })

  test('several completions extend the line to their common prefix, or are listed', () => {
    const editor = new LineEditor('> ')
    typed(editor, 'reverse-s')
    editor.completeWith(['reverse-step', 'reverse-stepi'])
    const listing = editor.completeWith(['reverse-step', 'reverse-stepi'])
    expect(listing).toContain('reverse-step  reverse-stepi')
    expect(typed(editor, 'i\r').submitted).toEqual(['reverse-stepi'])
    expect(editor.completeWith([])).toBe('\x07')
  })

  test('Ctrl-R searches the history backwards; Enter runs the match', () => {
    const editor = new LineEditor('> ')
    typed(editor, 'x/8xg $rsp\rnext\rprint total\r')
    const search = typed(editor, '\x12x/')
    expect(search.echo).toContain("(reverse-i-search)`x/': x/8xg $rsp")
    expect(typed(editor, '\r').submitted).toEqual(['x/8xg $rsp'])
    typed(editor, '\x12print\x1b[C')
    expect(typed(editor, ' + 1\r').submitted).toEqual(['print total + 1'])
  })

  test('Ctrl-C abandons the line and asks to interrupt; Ctrl-L clears the screen', () => {
    const editor = new LineEditor('> ')
    const interrupted = typed(editor, 'half a line\x03')
    expect(interrupted.interrupt).toBe(true)
    expect(interrupted.submitted).toEqual([])
    expect(typed(editor, '\r').submitted).toEqual([''])
    expect(typed(editor, '\x0c').echo.startsWith('\x1b[2J\x1b[H')).toBe(true)
  })
})
