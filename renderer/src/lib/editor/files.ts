// Which editor buffer a debugger's file name means. The toolchain builds in /home/learner and its
// line table names sources relative to it ("names.c"); gdb's frames may name them absolutely
// ("/home/learner/names.c") or, for a file built elsewhere, by a path the editor never had.

export const LEARNER_DIRECTORY = '/home/learner'

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** The name relative to the learner's directory, as the editor's buffers are keyed. */
function relativeName(path: string): string {
  const prefix = `${LEARNER_DIRECTORY}/`
  return path.startsWith(prefix) ? path.slice(prefix.length) : path.replace(/^\.\//, '')
}

/** Whether a debugger's or gcc's file name and an editor buffer's name are the same file. */
export function sameSourceFile(debuggerFile: string, editorFile: string): boolean {
  const wanted = relativeName(debuggerFile)
  const buffer = relativeName(editorFile)
  if (wanted === buffer) return true
  // A path from elsewhere (an executable opened from disk) still names the buffer by its base name.
  return basename(wanted) === basename(buffer) && (wanted.includes('/') || buffer.includes('/'))
}

/** The editor buffer a debugger's file name means: the exact name first, then by base name. */
export function editorFileFor(debuggerFile: string, editorFiles: readonly string[]): string | null {
  const wanted = relativeName(debuggerFile)
  return editorFiles.find((name) => relativeName(name) === wanted) ?? editorFiles.find((name) => sameSourceFile(debuggerFile, name)) ?? null
}
