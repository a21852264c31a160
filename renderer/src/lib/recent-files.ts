// The files opened lately, kept in the browser's storage with their contents so one click opens
// them again (the desktop app and browser mode alike; nothing reads the disk behind the user's back).

import { decodeBase64, encodeBase64 } from '../../../shared/protocol/base64'
import type { OpenedFile } from './open-file'

const KEY = 'memscape.recent-files'
const MAX_ENTRIES = 8
/** Larger files are opened but not remembered: storage holds a few MiB per origin. */
const MAX_REMEMBERED_BYTES = 512 * 1024

interface StoredEntry {
  name: string
  kind: OpenedFile['kind']
  /** Text of a source, base64 of an executable. */
  content: string
  openedAt: number
}

/** The part of localStorage used here (tests hand in their own). */
export interface KeyValueStore {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

export interface RecentFile {
  name: string
  kind: OpenedFile['kind']
  openedAt: number
}

function read(storage: KeyValueStore): StoredEntry[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(KEY) ?? '[]')
    if (!Array.isArray(parsed)) return []
    return parsed.filter(
      (entry): entry is StoredEntry =>
        typeof entry === 'object' && entry !== null && typeof entry.name === 'string' && (entry.kind === 'source' || entry.kind === 'executable') && typeof entry.content === 'string' && typeof entry.openedAt === 'number',
    )
  } catch {
    // A corrupt list is forgotten rather than breaking the menu.
    return []
  }
}

export function recentFiles(storage: KeyValueStore): RecentFile[] {
  return read(storage).map(({ name, kind, openedAt }) => ({ name, kind, openedAt }))
}

export function rememberFile(file: OpenedFile, storage: KeyValueStore, now = Date.now()): void {
  const size = file.kind === 'source' ? file.text.length : file.bytes.length
  if (size > MAX_REMEMBERED_BYTES) return
  const content = file.kind === 'source' ? file.text : encodeBase64(file.bytes)
  const entries = [{ name: file.name, kind: file.kind, content, openedAt: now }, ...read(storage).filter((entry) => entry.name !== file.name)].slice(0, MAX_ENTRIES)
  try {
    storage.setItem(KEY, JSON.stringify(entries))
  } catch {
    // Storage full: the file stays open, it just is not remembered.
  }
}

export function reopenFile(name: string, storage: KeyValueStore): OpenedFile | null {
  const entry = read(storage).find((candidate) => candidate.name === name)
  if (!entry) return null
  return entry.kind === 'source' ? { kind: 'source', name, text: entry.content } : { kind: 'executable', name, bytes: decodeBase64(entry.content) }
}
