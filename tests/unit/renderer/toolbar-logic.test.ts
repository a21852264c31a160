// The toolbar's pure parts: which key asks for which action, what an opened file is, and the
// recent-files list kept in storage.

import { describe, expect, test } from 'vitest'
import { classifyFile } from '../../../renderer/src/lib/open-file'
import { recentFiles, rememberFile, reopenFile, type KeyValueStore } from '../../../renderer/src/lib/recent-files'
import { actionForKey, chordText, RUN_ACTIONS } from '../../../renderer/src/lib/run-actions'

const key = (key: string, modifiers: { shift?: boolean; ctrl?: boolean; alt?: boolean } = {}) => ({
  key,
  shiftKey: modifiers.shift ?? false,
  ctrlKey: modifiers.ctrl ?? false,
  altKey: modifiers.alt ?? false,
  metaKey: false,
})

/** An in-memory store that, like localStorage, throws when a value exceeds its quota. */
class MemoryStorage implements KeyValueStore {
  private readonly items = new Map<string, string>()
  constructor(private readonly quota = Infinity) {}
  getItem(name: string): string | null {
    return this.items.get(name) ?? null
  }
  setItem(name: string, value: string): void {
    if (value.length > this.quota) throw new Error('QuotaExceededError')
    this.items.set(name, value)
  }
}

describe('debugging keys', () => {
  test("VS Code's keys map to gdb's commands, modifiers included", () => {
    expect(actionForKey(key('F5'))).toBe('run')
    expect(actionForKey(key('F5', { shift: true }))).toBe('kill')
    expect(actionForKey(key('F10'))).toBe('next')
    expect(actionForKey(key('F11'))).toBe('step')
    expect(actionForKey(key('F11', { shift: true }))).toBe('finish')
    expect(actionForKey(key('F9'))).toBe('toggle-breakpoint')
    expect(actionForKey(key('F10', { alt: true }))).toBeNull()
    expect(actionForKey(key('a'))).toBeNull()
  })

  test('no two actions share a chord', () => {
    const chords = RUN_ACTIONS.map((action) => chordText(action.keys))
    expect(new Set(chords).size).toBe(chords.length)
    expect(chordText({ key: 'F5', ctrl: true, shift: true })).toBe('Control+Shift+F5')
  })
})

describe('opening a file', () => {
  test('the ELF magic wins over the name; text is a source; other bytes go to the loader', () => {
    expect(classifyFile('prog.c', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1]))).toMatchObject({ kind: 'executable' })
    expect(classifyFile('hello.c', new TextEncoder().encode('int main(void) { return 0; }\n'))).toEqual({ kind: 'source', name: 'hello.c', text: 'int main(void) { return 0; }\n' })
    expect(classifyFile('photo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]))).toMatchObject({ kind: 'executable' })
    expect(classifyFile('latin1.c', new Uint8Array([0x63, 0xe9, 0x0a]))).toMatchObject({ kind: 'executable' })
  })
})

describe('recent files', () => {
  test('newest first, reopened with their contents, one entry per name', () => {
    const storage = new MemoryStorage()
    rememberFile({ kind: 'source', name: 'a.c', text: 'int a;' }, storage, 1)
    rememberFile({ kind: 'executable', name: 'p', bytes: new Uint8Array([0x7f, 0x45, 0x4c, 0x46]) }, storage, 2)
    rememberFile({ kind: 'source', name: 'a.c', text: 'int b;' }, storage, 3)
    expect(recentFiles(storage).map((file) => file.name)).toEqual(['a.c', 'p'])
    expect(reopenFile('a.c', storage)).toEqual({ kind: 'source', name: 'a.c', text: 'int b;' })
    expect(reopenFile('p', storage)).toEqual({ kind: 'executable', name: 'p', bytes: new Uint8Array([0x7f, 0x45, 0x4c, 0x46]) })
    expect(reopenFile('missing', storage)).toBeNull()
  })

  test('a corrupt list is forgotten, a full storage only skips remembering', () => {
    const corrupt = new MemoryStorage()
    corrupt.setItem('memscape.recent-files', '{not json')
    expect(recentFiles(corrupt)).toEqual([])
    corrupt.setItem('memscape.recent-files', JSON.stringify([{ name: 1 }, { name: 'ok.c', kind: 'source', content: 'x', openedAt: 1 }]))
    expect(recentFiles(corrupt).map((file) => file.name)).toEqual(['ok.c'])
    const tiny = new MemoryStorage(10)
    expect(() => rememberFile({ kind: 'source', name: 'big.c', text: 'int main(void) { return 0; }' }, tiny)).not.toThrow()
    expect(recentFiles(tiny)).toEqual([])
  })
})
