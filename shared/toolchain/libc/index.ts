/**
 * Memscape's libc: the headers programs include and the C and assembly sources of the library,
 * compiled by Memscape's own toolchain. The text of each file is bundled (Vite `?raw`), so the
 * toolchain works offline inside the app.
 */
import { assemble } from '../asm/assembler'
import { formatDiagnostic, type ObjectFile } from '../asm/object'
import { compile } from '../c/compile'
import { generateAssembly } from '../x86/codegen'
import hAssertH from './include/assert.h?raw'
import hCtypeH from './include/ctype.h?raw'
import hErrnoH from './include/errno.h?raw'
import hFcntlH from './include/fcntl.h?raw'
import hLimitsH from './include/limits.h?raw'
import hMallocH from './include/malloc.h?raw'
import hSignalH from './include/signal.h?raw'
import hStdargH from './include/stdarg.h?raw'
import hStdboolH from './include/stdbool.h?raw'
import hStddefH from './include/stddef.h?raw'
import hStdintH from './include/stdint.h?raw'
import hStdioH from './include/stdio.h?raw'
import hStdlibH from './include/stdlib.h?raw'
import hStringH from './include/string.h?raw'
import hStringsH from './include/strings.h?raw'
import hSysAuxvH from './include/sys/auxv.h?raw'
import hSysMmanH from './include/sys/mman.h?raw'
import hSysTypesH from './include/sys/types.h?raw'
import hTimeH from './include/time.h?raw'
import hUnistdH from './include/unistd.h?raw'
import srcCtypeC from './src/ctype.c?raw'
import srcEnvC from './src/env.c?raw'
import srcInternalH from './src/internal.h?raw'
import srcMallocC from './src/malloc.c?raw'
import srcPrintfC from './src/printf.c?raw'
import srcScanfC from './src/scanf.c?raw'
import srcSignalC from './src/signal.c?raw'
import srcStartAsm from './src/start.asm?raw'
import srcStartC from './src/start.c?raw'
import srcStdioC from './src/stdio.c?raw'
import srcStdlibC from './src/stdlib.c?raw'
import srcStrerrorC from './src/strerror.c?raw'
import srcStringC from './src/string.c?raw'
import srcSyscallAsm from './src/syscall.asm?raw'
import srcUnistdC from './src/unistd.c?raw'

/** Where the headers live in the compiler's file map: pass as `systemIncludeDirs`. */
export const LIBC_INCLUDE_DIR = '/usr/include'
/** Where the library's own sources live in the file map. */
export const LIBC_SOURCE_DIR = '/usr/src/memscape-libc'

/** The headers, keyed by their #include name (`stdio.h`, `sys/mman.h`). */
export const LIBC_HEADERS: Readonly<Record<string, string>> = {
  'assert.h': hAssertH,
  'ctype.h': hCtypeH,
  'errno.h': hErrnoH,
  'fcntl.h': hFcntlH,
  'limits.h': hLimitsH,
  'malloc.h': hMallocH,
  'signal.h': hSignalH,
  'stdarg.h': hStdargH,
  'stdbool.h': hStdboolH,
  'stddef.h': hStddefH,
  'stdint.h': hStdintH,
  'stdio.h': hStdioH,
  'stdlib.h': hStdlibH,
  'string.h': hStringH,
  'strings.h': hStringsH,
  'sys/auxv.h': hSysAuxvH,
  'sys/mman.h': hSysMmanH,
  'sys/types.h': hSysTypesH,
  'time.h': hTimeH,
  'unistd.h': hUnistdH,
}

/** The library's sources, keyed by file name: C files (with the private internal.h) and NASM-syntax assembly. */
export const LIBC_SOURCES: Readonly<Record<string, string>> = {
  'ctype.c': srcCtypeC,
  'env.c': srcEnvC,
  'internal.h': srcInternalH,
  'malloc.c': srcMallocC,
  'printf.c': srcPrintfC,
  'scanf.c': srcScanfC,
  'signal.c': srcSignalC,
  'start.asm': srcStartAsm,
  'start.c': srcStartC,
  'stdio.c': srcStdioC,
  'stdlib.c': srcStdlibC,
  'strerror.c': srcStrerrorC,
  'string.c': srcStringC,
  'syscall.asm': srcSyscallAsm,
  'unistd.c': srcUnistdC,
}

/** The compilation units of the library, in link order (start-up first). */
export const LIBC_UNITS: readonly string[] = Object.keys(LIBC_SOURCES)
  .filter((name) => name.endsWith('.asm') || name.endsWith('.c'))
  .sort((a, b) => Number(b === 'start.asm') - Number(a === 'start.asm') || a.localeCompare(b))

/** Every header and source under its path, ready to merge into the compiler's file map. */
export function libcFiles(): Record<string, string> {
  const files: Record<string, string> = {}
  for (const [name, text] of Object.entries(LIBC_HEADERS)) files[`${LIBC_INCLUDE_DIR}/${name}`] = text
  for (const [name, text] of Object.entries(LIBC_SOURCES)) files[`${LIBC_SOURCE_DIR}/${name}`] = text
  return files
}

/**
 * Where a heap view finds malloc's state: global symbols of the linked program, laid out as in
 * glibc 2.36 (tests/fixtures/libc/heap_arena.c reads them at these offsets, natively with glibc
 * and with this libc, and gets the same answers).
 */
export const MALLOC_SYMBOLS = { arena: 'main_arena', parameters: 'mp_', tcache: 'tcache', tcacheKey: 'tcache_key' } as const

/** Offsets in `struct malloc_state` (main_arena). */
export const MALLOC_STATE_OFFSETS = {
  flags: 0x4,
  haveFastchunks: 0x8,
  /** mchunkptr[10]: chunk sizes 0x20, 0x30, ... 0xb0 */
  fastbinsY: 0x10,
  top: 0x60,
  lastRemainder: 0x68,
  /** mchunkptr[254]: fd/bk pairs of bins 1 (unsorted) to 127; bin i's pair is at bins + (i - 1) * 16 */
  bins: 0x70,
  /** unsigned int[4] */
  binmap: 0x860,
  systemMem: 0x888,
  maxSystemMem: 0x890,
  size: 0x898,
} as const

/** Offsets in `struct tcache_perthread_struct`, the first chunk of the heap (user data at heap + 0x10). */
export const TCACHE_OFFSETS = {
  /** uint16_t[64] */
  counts: 0x0,
  /** tcache_entry *[64], safe-linked through each entry's `next` */
  entries: 0x80,
  size: 0x280,
} as const

export interface LibcBuildOptions {
  /** Code for a static PIE (-pie) or a fixed-address executable (-no-pie). */
  readonly pie: boolean
}

export interface LibcBuild {
  /** One object per compilation unit; empty when there are errors. */
  readonly objects: readonly ObjectFile[]
  /** Compiler or assembler messages, `file:line:col: ...`. */
  readonly errors: readonly string[]
}

const builds = new Map<boolean, LibcBuild>()

/**
 * Compiles and assembles the library with Memscape's toolchain (once per option set; the result
 * is cached). Like glibc, the library itself is built without stack protector.
 */
export function buildLibc(options: LibcBuildOptions): LibcBuild {
  const cached = builds.get(options.pie)
  if (cached !== undefined) return cached
  const files = libcFiles()
  const objects: ObjectFile[] = []
  const errors: string[] = []
  for (const unit of LIBC_UNITS) {
    const path = `${LIBC_SOURCE_DIR}/${unit}`
    const text = files[path] ?? ''
    let assembly = text
    let assemblyName = path
    if (unit.endsWith('.c')) {
      // Freestanding, as a C library is built (gcc -ffreestanding -fno-builtin): its own printf,
      // fprintf and fputs calls must stay what they are, not become calls of puts or fwrite.
      const compiled = compile(files, path, { pie: options.pie, stackProtector: 'none', systemIncludeDirs: [LIBC_INCLUDE_DIR], builtins: false })
      if (compiled.ir === undefined) {
        errors.push(compiled.text)
        continue
      }
      try {
        assembly = generateAssembly(compiled.ir, { pie: options.pie, stackProtector: 'none' }).assembly
      } catch (error) {
        errors.push(`${path}: code generation failed: ${error instanceof Error ? error.message : String(error)}`)
        continue
      }
      assemblyName = path.replace(/\.c$/, '.s')
    }
    const assembled = assemble(assembly, assemblyName)
    if (assembled.object === undefined) {
      errors.push(assembled.diagnostics.map(formatDiagnostic).join('\n'))
      continue
    }
    objects.push(assembled.object)
  }
  const build: LibcBuild = errors.length > 0 ? { objects: [], errors } : { objects, errors }
  builds.set(options.pie, build)
  return build
}
