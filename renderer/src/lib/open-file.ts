// What a file from disk is to the workspace: an executable to open as it is, or a source to
// build. The ELF magic decides first (a compiled program may have any name), then the suffix.

export type OpenedFile = { kind: 'executable'; name: string; bytes: Uint8Array } | { kind: 'source'; name: string; text: string }

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46]
/** Opened files larger than this are refused before they are read: no program a learner studies is near it. */
export const MAX_OPEN_BYTES = 64 * 1024 * 1024

function isElf(bytes: Uint8Array): boolean {
  return ELF_MAGIC.every((byte, index) => bytes[index] === byte)
}

/** Text a C or assembly file could hold: UTF-8 without NUL bytes. */
function asText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return null
  }
}

/** Sources go to the toolchain (which names a suffix it does not know); anything else that is
 *  not text goes to the loader, which says why it is not a program. */
export function classifyFile(name: string, bytes: Uint8Array): OpenedFile {
  if (isElf(bytes)) return { kind: 'executable', name, bytes }
  const text = asText(bytes)
  if (text === null) return { kind: 'executable', name, bytes }
  return { kind: 'source', name, text }
}
