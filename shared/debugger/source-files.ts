// Source files as gdb names and reads them: the name relative to the compilation directory
// (`w.c`, gdb's default `filename-display relative`), the full path, and the lines.

import type { CompilationUnit } from '../debuginfo'
import type { Program } from './program'

/** The compilation unit whose line table names `file`. */
export function unitOf(program: Program, file: string): CompilationUnit | undefined {
  return program.debug?.info.units.find((unit) => unit.lines.some((row) => row.file === file))
}

/** A path with `.` components and repeated slashes removed and `..` applied, for comparing. */
function normalisePath(path: string): string {
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop()
    else parts.push(part)
  }
  return (path.startsWith('/') ? '/' : '') + parts.join('/')
}

/**
 * The name gdb shows for a source file (its default `filename-display relative`): a unit's
 * primary file as it was given to the compiler (`w.c`, `./w.c`, `/tmp/w/w.c`), any other file
 * relative to the compilation directory when inside it. A relative compilation directory
 * (Memscape's `.`) is already part of the name.
 */
export function displayName(program: Program, file: string): string {
  const unit = unitOf(program, file)
  if (!unit) return file
  const directory = unit.compDir.replace(/\/$/, '')
  const primary = unit.name.startsWith('/') || !directory ? unit.name : `${directory}/${unit.name}`
  if (normalisePath(primary) === normalisePath(file)) return unit.name
  if (directory.startsWith('/') && file.startsWith(`${directory}/`)) return file.slice(directory.length + 1)
  return file
}

/**
 * The name gdb gives a line table's file (`info line`): relative to an absolute compilation
 * directory, or as the table joins it with a relative one (`./m.c` for Memscape's `.`), where
 * frame lines show the unit's own name.
 */
export function lineTableName(program: Program, file: string): string {
  const directory = unitOf(program, file)?.compDir.replace(/\/$/, '')
  if (directory?.startsWith('/') && file.startsWith(`${directory}/`)) return file.slice(directory.length + 1)
  return file
}

/** The line-table name of the file a user typed (`w.c`, `/tmp/w/w.c`, `sub/w.c`), if the program has it. */
export function findSourceFile(program: Program, typed: string): string | undefined {
  return program.sourceFiles().find((file) => file === typed || file.endsWith(`/${typed}`) || displayName(program, file) === typed)
}

/**
 * The full path gdb reports for a source file (`info source`): as named when absolute, else
 * resolved against the program's directory, where a relative compilation directory (`.`) points
 * when the program is debugged from where it was built.
 */
export function fullName(program: Program, file: string): string {
  if (file.startsWith('/')) return file
  const directory = program.path.slice(0, program.path.lastIndexOf('/'))
  return `${directory}/${file.replace(/^(\.\/)+/, '')}`
}
