// File descriptors and the file system calls: open/read/write/seek/stat/ioctl and friends,
// over the virtual filesystem and the standard streams. Semantics and errno values follow
// Linux (fs/read_write.c, fs/open.c, fs/stat.c).

import type { Kernel } from './kernel'
import { BLOCKED, type SyscallResult } from './syscall-result'
import {
  EBADF, EEXIST, EFAULT, EINVAL, EISDIR, ENOENT, ENOSPC, ENOTDIR, ENOTTY, ESPIPE, EACCES, EMFILE, ERANGE, ELOOP, EFBIG,
} from './errno'
import { PAGE_SIZE, PROT_READ } from '../memory'
import { S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, VfsError, makedev, type Node } from './vfs'

export const O_ACCMODE = 3
export const O_RDONLY = 0
export const O_WRONLY = 1
export const O_RDWR = 2
export const O_CREAT = 0o100
export const O_EXCL = 0o200
export const O_TRUNC = 0o1000
export const O_APPEND = 0o2000
export const O_DIRECTORY = 0o200000
export const O_NOFOLLOW = 0o400000
export const O_CLOEXEC = 0o2000000
export const O_PATH = 0o10000000

export const AT_FDCWD = -100
export const AT_SYMLINK_NOFOLLOW = 0x100
export const AT_REMOVEDIR = 0x200
export const AT_EMPTY_PATH = 0x1000

const F_DUPFD = 0
const F_GETFD = 1
const F_SETFD = 2
const F_GETFL = 3
const F_SETFL = 4
const F_DUPFD_CLOEXEC = 1030
const FD_CLOEXEC = 1

const TCGETS = 0x5401
const TIOCGWINSZ = 0x5413
const TIOCGPGRP = 0x540f
const FIONREAD = 0x541b

const MAX_FDS = 1024
/**
 * Bytes one read or write moves at most. Linux's cap is MAX_RW_COUNT (0x7ffff000); ours is
 * lower so that a guest asking for gigabytes never makes the host allocate them: the call
 * returns a short count, which POSIX allows and stdio handles by looping.
 */
const MAX_RW_COUNT = 16 * 1024 * 1024
const IOV_MAX = 1024

/** What an open file description refers to. */
export type FileTarget =
  | { type: 'stdin' }
  | { type: 'output'; stream: 1 | 2 }
  | { type: 'node'; node: Node; path: string }

export interface OpenFile {
  target: FileTarget
  /** O_ACCMODE and status flags (O_APPEND, O_NONBLOCK). */
  flags: number
  offset: number
}

interface Descriptor {
  file: OpenFile
  cloexec: boolean
}

/** Device numbers: pipes live on pipefs, files on the session's disk, ttys on /dev/pts. */
const PIPEFS_DEV = 0xf
const DISK_DEV = makedev(254, 0)
const PROC_DEV = 0x16
const PTS_RDEV = makedev(136, 0)

/** The device a path's file lives on, as /proc/self/maps and stat show it. */
export function diskDevice(path: string): { major: number; minor: number } {
  const dev = path.startsWith('/proc/') ? PROC_DEV : DISK_DEV
  return { major: dev >> 8, minor: dev & 0xff }
}

export class FileTable {
  private readonly fds: (Descriptor | undefined)[] = []
  /** Standard output and error are a terminal (S_IFCHR, isatty true) rather than pipes. */
  readonly terminal: boolean
  private readonly streamInodes: Record<'stdin' | 'stdout' | 'stderr', number>

  constructor(terminal: boolean, ino: () => number) {
    this.terminal = terminal
    this.streamInodes = { stdin: ino(), stdout: ino(), stderr: ino() }
    this.fds[0] = { file: { target: { type: 'stdin' }, flags: O_RDONLY, offset: 0 }, cloexec: false }
    this.fds[1] = { file: { target: { type: 'output', stream: 1 }, flags: O_WRONLY, offset: 0 }, cloexec: false }
    this.fds[2] = { file: { target: { type: 'output', stream: 2 }, flags: O_WRONLY, offset: 0 }, cloexec: false }
  }

  get(fd: number): OpenFile | undefined {
    return fd >= 0 ? this.fds[fd]?.file : undefined
  }

  /** Lowest free descriptor at or above `from`, as POSIX requires. */
  install(file: OpenFile, cloexec: boolean, from = 0): number {
    for (let fd = from; fd < MAX_FDS; fd++) {
      if (!this.fds[fd]) {
        this.fds[fd] = { file, cloexec }
        return fd
      }
    }
    return -EMFILE
  }

  installAt(fd: number, file: OpenFile, cloexec: boolean): void {
    this.fds[fd] = { file, cloexec }
  }

  close(fd: number): boolean {
    if (fd < 0 || !this.fds[fd]) return false
    this.fds[fd] = undefined
    return true
  }

  descriptor(fd: number): Descriptor | undefined {
    return fd >= 0 ? this.fds[fd] : undefined
  }

  streamIno(target: FileTarget): number {
    if (target.type === 'stdin') return this.streamInodes.stdin
    if (target.type === 'output') return target.stream === 1 ? this.streamInodes.stdout : this.streamInodes.stderr
    return target.node.ino
  }
}

function isTty(k: Kernel, target: FileTarget): boolean {
  return target.type === 'output' && k.files.terminal
}

function nodeFileType(node: Node): number {
  return node.kind === 'symlink' ? S_IFLNK : node.mode & S_IFMT
}

// --- stat ------------------------------------------------------------------------------------

interface StatFields {
  dev: number
  ino: number
  mode: number
  nlink: number
  rdev: number
  size: number
  blksize: number
}

function statOfTarget(k: Kernel, target: FileTarget): StatFields {
  if (target.type !== 'node') {
    const ino = k.files.streamIno(target)
    if (isTty(k, target)) return { dev: 0x18, ino: 3, mode: S_IFCHR | 0o620, nlink: 1, rdev: PTS_RDEV, size: 0, blksize: 1024 }
    return { dev: PIPEFS_DEV, ino, mode: S_IFIFO | 0o600, nlink: 1, rdev: 0, size: 0, blksize: 4096 }
  }
  return statOfNode(target.node, target.path)
}

function statOfNode(node: Node, path: string): StatFields {
  const onProc = path.startsWith('/proc/')
  const dev = onProc ? PROC_DEV : node.kind === 'device' ? 6 : DISK_DEV
  switch (node.kind) {
    case 'dir':
      return { dev, ino: node.ino, mode: node.mode, nlink: 2, rdev: 0, size: 4096, blksize: 4096 }
    case 'file':
      return { dev, ino: node.ino, mode: node.mode, nlink: 1, rdev: 0, size: node.size, blksize: 4096 }
    case 'device':
      return { dev, ino: node.ino, mode: node.mode, nlink: 1, rdev: node.rdev, size: 0, blksize: 4096 }
    case 'generated':
      // procfs files report size 0 and a 1 KiB block size (measured on /proc/self/maps).
      return { dev, ino: node.ino, mode: node.mode, nlink: 1, rdev: 0, size: 0, blksize: 1024 }
    case 'symlink':
      return { dev, ino: node.ino, mode: S_IFLNK | 0o777, nlink: 1, rdev: 0, size: node.target().length, blksize: 1024 }
  }
}

/** Writes `struct stat` (x86-64, 144 bytes) at addr. */
function writeStat(k: Kernel, addr: number, s: StatFields): void {
  const buf = new Uint8Array(144)
  const view = new DataView(buf.buffer)
  const seconds = k.clock.bootEpochSeconds
  view.setBigUint64(0, BigInt(s.dev), true)
  view.setBigUint64(8, BigInt(s.ino), true)
  view.setBigUint64(16, BigInt(s.nlink), true)
  view.setUint32(24, s.mode, true)
  view.setUint32(28, k.identity.uid, true)
  view.setUint32(32, k.identity.gid, true)
  view.setBigUint64(40, BigInt(s.rdev), true)
  view.setBigInt64(48, BigInt(s.size), true)
  view.setBigInt64(56, BigInt(s.blksize), true)
  view.setBigInt64(64, BigInt(Math.ceil(s.size / 4096) * 8), true)
  for (const off of [72, 88, 104]) view.setBigInt64(off, BigInt(seconds), true)
  k.memory.writeBytes(addr, buf)
}

// --- path helpers ----------------------------------------------------------------------------

function readPath(k: Kernel, addr: number): string {
  if (addr === 0) throw new VfsError(EFAULT)
  const bytes = k.memory.readCString(addr, 4096)
  return new TextDecoder().decode(bytes)
}

/** Resolves a *at() path against dirfd (only AT_FDCWD and absolute paths, or a directory fd). */
function atPath(k: Kernel, dirfd: number, path: string): string {
  if (path.startsWith('/') || dirfd === AT_FDCWD) return path
  const dir = k.files.get(dirfd)
  if (!dir) throw new VfsError(EBADF)
  if (dir.target.type !== 'node' || dir.target.node.kind !== 'dir') throw new VfsError(ENOTDIR)
  return `${dir.target.path}/${path}`
}

function errnoOf(error: unknown): number {
  if (error instanceof VfsError) return -error.errno
  throw error
}

// --- open/close ------------------------------------------------------------------------------

export function sysOpen(k: Kernel): SyscallResult {
  return openAt(k, AT_FDCWD, k.arg(0), k.argInt(1), k.argInt(2))
}

export function sysOpenat(k: Kernel): SyscallResult {
  return openAt(k, k.argInt(0), k.arg(1), k.argInt(2), k.argInt(3))
}

export function sysCreat(k: Kernel): SyscallResult {
  return openAt(k, AT_FDCWD, k.arg(0), O_CREAT | O_WRONLY | O_TRUNC, k.argInt(1))
}

function openAt(k: Kernel, dirfd: number, pathAddr: number, flags: number, mode: number): SyscallResult {
  try {
    const path = k.vfs.normalize(atPath(k, dirfd, readPath(k, pathAddr)))
    const access = flags & O_ACCMODE
    const writing = access === O_WRONLY || access === O_RDWR
    let node: Node
    try {
      node = k.vfs.lookup(path, (flags & O_NOFOLLOW) === 0)
      if ((flags & O_CREAT) && (flags & O_EXCL)) return -EEXIST
    } catch (error) {
      if (!(error instanceof VfsError) || error.errno !== ENOENT || !(flags & O_CREAT)) throw error
      node = k.vfs.create(path, mode & ~k.umask)
    }
    if (node.kind === 'symlink') return -ELOOP
    if ((flags & O_DIRECTORY) && node.kind !== 'dir') return -ENOTDIR
    if (node.kind === 'dir' && writing) return -EISDIR
    if (writing && node.kind === 'file' && !node.writable) return -EACCES
    if (writing && node.kind === 'generated') return -EACCES
    if (node.kind === 'file' && (flags & O_TRUNC) && writing) node.size = 0
    const file: OpenFile = { target: { type: 'node', node, path }, flags: flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC), offset: 0 }
    return k.files.install(file, (flags & O_CLOEXEC) !== 0)
  } catch (error) {
    return errnoOf(error)
  }
}

export function sysClose(k: Kernel): SyscallResult {
  return k.files.close(k.argInt(0)) ? 0 : -EBADF
}

// --- read/write ------------------------------------------------------------------------------

/** Reads up to `count` bytes of the file into a new array, or returns a negative errno / BLOCKED. */
function readFrom(k: Kernel, file: OpenFile, count: number, position: number | null): Uint8Array | number | typeof BLOCKED {
  if ((file.flags & O_ACCMODE) === O_WRONLY) return -EBADF
  const target = file.target
  if (target.type === 'stdin') {
    if (position !== null) return -ESPIPE
    if (count === 0) return new Uint8Array(0)
    if (k.stdin.buffered === 0) return k.stdin.closed ? new Uint8Array(0) : BLOCKED
    return k.stdin.take(count)
  }
  if (target.type === 'output') {
    // Reading a pipe's write end fails; a terminal would wait for keys the session never types.
    return isTty(k, target) ? BLOCKED : -EBADF
  }
  const node = target.node
  switch (node.kind) {
    case 'dir':
      return -EISDIR
    case 'device':
      return node.read(count)
    case 'file': {
      const at = position ?? file.offset
      const end = Math.min(node.size, at + count)
      const data = at >= end ? new Uint8Array(0) : node.data.slice(at, end)
      if (position === null) file.offset = at + data.length
      return data
    }
    case 'generated': {
      const at = position ?? file.offset
      const data = seqRead(node.generate(), at, count)
      if (position === null) file.offset = at + data.length
      return data
    }
    default:
      return -EINVAL
  }
}

/** Writes bytes to the file; returns the count written or a negative errno. */
function writeTo(k: Kernel, file: OpenFile, data: Uint8Array, position: number | null): number {
  if ((file.flags & O_ACCMODE) === O_RDONLY) return -EBADF
  const target = file.target
  if (target.type === 'stdin') return -EBADF
  if (target.type === 'output') {
    if (position !== null) return -ESPIPE
    if (data.length > 0) k.output(target.stream, data)
    return data.length
  }
  const node = target.node
  if (node.kind === 'device') return data.length
  if (node.kind !== 'file') return -EINVAL
  let at = position ?? file.offset
  if (position === null && (file.flags & O_APPEND)) at = node.size
  if (at + data.length > k.maxFileBytes) return -EFBIG
  if (!k.vfs.reserve(node, at + data.length)) return -ENOSPC
  node.data.set(data, at)
  node.size = Math.max(node.size, at + data.length)
  if (position === null) file.offset = at + data.length
  return data.length
}

export function sysRead(k: Kernel): SyscallResult {
  return readCall(k, k.argInt(0), k.arg(1), k.arg(2), null)
}

export function sysPread(k: Kernel): SyscallResult {
  const position = k.argSigned(3)
  if (position < 0) return -EINVAL
  return readCall(k, k.argInt(0), k.arg(1), k.arg(2), position)
}

function readCall(k: Kernel, fd: number, buf: number, count: number, position: number | null): SyscallResult {
  const file = k.files.get(fd)
  if (!file) return -EBADF
  const data = readFrom(k, file, Math.min(count, MAX_RW_COUNT), position)
  if (typeof data === 'number' || data === BLOCKED) return data
  k.memory.writeBytes(buf, data)
  return data.length
}

/**
 * A read of a procfs file as seq_file serves it: the text is produced at each read (so
 * /proc/self/maps shows the mappings as they are when read, not when opened), and a read
 * returns only whole lines unless not even one line fits.
 */
function seqRead(text: Uint8Array, at: number, count: number): Uint8Array {
  if (at >= text.length || count === 0) return new Uint8Array(0)
  let end = at
  while (end < text.length) {
    const newline = text.indexOf(10, end)
    const lineEnd = newline < 0 ? text.length : newline + 1
    if (lineEnd - at > count) break
    end = lineEnd
  }
  if (end === at) end = Math.min(text.length, at + count)
  return text.slice(at, end)
}

export function sysWrite(k: Kernel): SyscallResult {
  return writeCall(k, k.argInt(0), k.arg(1), k.arg(2), null)
}

export function sysPwrite(k: Kernel): SyscallResult {
  const position = k.argSigned(3)
  if (position < 0) return -EINVAL
  return writeCall(k, k.argInt(0), k.arg(1), k.arg(2), position)
}

function writeCall(k: Kernel, fd: number, buf: number, count: number, position: number | null): SyscallResult {
  const file = k.files.get(fd)
  if (!file) return -EBADF
  if ((file.flags & O_ACCMODE) === O_RDONLY) return -EBADF
  const data = readUserPrefix(k, buf, Math.min(count, MAX_RW_COUNT))
  return data === null ? -EFAULT : writeTo(k, file, data, position)
}

/**
 * The readable bytes at the start of a user buffer: a write stops at the first page it may not
 * read (a short count), and fails with EFAULT only when not even the first byte is readable.
 */
function readUserPrefix(k: Kernel, addr: number, length: number): Uint8Array | null {
  let readable = 0
  while (readable < length) {
    const prot = k.memory.protection(addr + readable)
    if (prot < 0 || (prot & PROT_READ) === 0) break
    readable += Math.min(length - readable, PAGE_SIZE - ((addr + readable) % PAGE_SIZE))
  }
  if (readable === 0 && length > 0) return null
  return k.memory.readBytes(addr, readable)
}

function readIovec(k: Kernel, addr: number, count: number): { base: number; length: number }[] | number {
  if (count < 0 || count > IOV_MAX) return -EINVAL
  const raw = k.memory.readBytes(addr, count * 16)
  const view = new DataView(raw.buffer)
  const out: { base: number; length: number }[] = []
  let total = 0
  for (let i = 0; i < count; i++) {
    const length = Number(view.getBigInt64(i * 16 + 8, true))
    if (length < 0) return -EINVAL
    total += length
    out.push({ base: Number(view.getBigUint64(i * 16, true)), length })
  }
  if (total > 0x7fffffffffff) return -EINVAL
  return out
}

export function sysWritev(k: Kernel): SyscallResult {
  const file = k.files.get(k.argInt(0))
  if (!file) return -EBADF
  if ((file.flags & O_ACCMODE) === O_RDONLY) return -EBADF
  const iov = readIovec(k, k.arg(1), k.argInt(2))
  if (typeof iov === 'number') return iov
  // Gather the buffers, as the pipe or tty sees one write; like write(), stop at the first
  // unreadable byte (a short count) and fail with EFAULT only if nothing is readable.
  const parts: Uint8Array[] = []
  let total = 0
  for (const v of iov) {
    const part = readUserPrefix(k, v.base, Math.min(v.length, MAX_RW_COUNT - total))
    if (part === null) break
    parts.push(part)
    total += part.length
    if (part.length < v.length || total >= MAX_RW_COUNT) break
  }
  if (total === 0 && iov.some((v) => v.length > 0)) return -EFAULT
  const data = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    data.set(p, at)
    at += p.length
  }
  return writeTo(k, file, data, null)
}

export function sysReadv(k: Kernel): SyscallResult {
  const file = k.files.get(k.argInt(0))
  if (!file) return -EBADF
  const iov = readIovec(k, k.arg(1), k.argInt(2))
  if (typeof iov === 'number') return iov
  const total = iov.reduce((n, v) => n + v.length, 0)
  const data = readFrom(k, file, Math.min(total, MAX_RW_COUNT), null)
  if (typeof data === 'number' || data === BLOCKED) return data
  let at = 0
  for (const v of iov) {
    if (at >= data.length) break
    const part = data.subarray(at, at + v.length)
    k.memory.writeBytes(v.base, part)
    at += part.length
  }
  return data.length
}

// --- seek, stat, links -----------------------------------------------------------------------

const SEEK_SET = 0
const SEEK_CUR = 1
const SEEK_END = 2

export function sysLseek(k: Kernel): SyscallResult {
  const file = k.files.get(k.argInt(0))
  if (!file) return -EBADF
  if (file.target.type !== 'node') return -ESPIPE
  const node = file.target.node
  const offset = k.argSigned(1)
  const whence = k.argInt(2)
  const size = node.kind === 'file' ? node.size : 0
  let next: number
  if (whence === SEEK_SET) next = offset
  else if (whence === SEEK_CUR) next = file.offset + offset
  else if (whence === SEEK_END) next = size + offset
  else return -EINVAL
  if (next < 0) return -EINVAL
  if (node.kind === 'device') return 0
  file.offset = next
  return next
}

export function sysFstat(k: Kernel): SyscallResult {
  const file = k.files.get(k.argInt(0))
  if (!file) return -EBADF
  writeStat(k, k.arg(1), statOfTarget(k, file.target))
  return 0
}

function statPath(k: Kernel, dirfd: number, pathAddr: number, statAddr: number, flags: number): SyscallResult {
  try {
    const path = readPath(k, pathAddr)
    if (path === '') {
      if (!(flags & AT_EMPTY_PATH)) return -ENOENT
      const file = dirfd === AT_FDCWD ? null : k.files.get(dirfd)
      if (dirfd === AT_FDCWD) writeStat(k, statAddr, statOfNode(k.vfs.lookup(k.vfs.cwd, true), k.vfs.cwd))
      else if (!file) return -EBADF
      else writeStat(k, statAddr, statOfTarget(k, file.target))
      return 0
    }
    const full = k.vfs.normalize(atPath(k, dirfd, path))
    const node = k.vfs.lookup(full, (flags & AT_SYMLINK_NOFOLLOW) === 0)
    writeStat(k, statAddr, statOfNode(node, full))
    return 0
  } catch (error) {
    return errnoOf(error)
  }
}

export function sysStat(k: Kernel): SyscallResult {
  return statPath(k, AT_FDCWD, k.arg(0), k.arg(1), 0)
}

export function sysLstat(k: Kernel): SyscallResult {
  return statPath(k, AT_FDCWD, k.arg(0), k.arg(1), AT_SYMLINK_NOFOLLOW)
}

export function sysNewfstatat(k: Kernel): SyscallResult {
  return statPath(k, k.argInt(0), k.arg(1), k.arg(2), k.argInt(3))
}

function readlinkCall(k: Kernel, dirfd: number, pathAddr: number, buf: number, size: number): SyscallResult {
  if (size <= 0) return -EINVAL
  try {
    const path = k.vfs.normalize(atPath(k, dirfd, readPath(k, pathAddr)))
    const node = k.vfs.lookup(path, false)
    if (node.kind !== 'symlink') return -EINVAL
    // readlink does not NUL-terminate and silently truncates.
    const bytes = new TextEncoder().encode(node.target()).subarray(0, size)
    k.memory.writeBytes(buf, bytes)
    return bytes.length
  } catch (error) {
    return errnoOf(error)
  }
}

export function sysReadlink(k: Kernel): SyscallResult {
  return readlinkCall(k, AT_FDCWD, k.arg(0), k.arg(1), k.argInt(2))
}

export function sysReadlinkat(k: Kernel): SyscallResult {
  return readlinkCall(k, k.argInt(0), k.arg(1), k.arg(2), k.argInt(3))
}

const F_OK = 0
const W_OK = 2
const X_OK = 1

function accessCall(k: Kernel, dirfd: number, pathAddr: number, mode: number): SyscallResult {
  if (mode & ~7) return -EINVAL
  try {
    const node = k.vfs.lookup(k.vfs.normalize(atPath(k, dirfd, readPath(k, pathAddr))), true)
    if (mode === F_OK) return 0
    const perms = node.kind === 'symlink' ? 0o777 : node.mode
    if ((mode & W_OK) && (!(perms & 0o200) || (node.kind === 'file' && !node.writable) || node.kind === 'generated')) return -EACCES
    if ((mode & X_OK) && !(perms & 0o100)) return -EACCES
    return 0
  } catch (error) {
    return errnoOf(error)
  }
}

export function sysAccess(k: Kernel): SyscallResult {
  return accessCall(k, AT_FDCWD, k.arg(0), k.argInt(1))
}

export function sysFaccessat(k: Kernel): SyscallResult {
  return accessCall(k, k.argInt(0), k.arg(1), k.argInt(2))
}

// --- descriptors -----------------------------------------------------------------------------

export function sysDup(k: Kernel): SyscallResult {
  const file = k.files.get(k.argInt(0))
  if (!file) return -EBADF
  return k.files.install(file, false)
}

function dupTo(k: Kernel, oldfd: number, newfd: number, cloexec: boolean): SyscallResult {
  const file = k.files.get(oldfd)
  if (!file) return -EBADF
  if (newfd < 0 || newfd >= MAX_FDS) return -EBADF
  k.files.installAt(newfd, file, cloexec)
  return newfd
}

export function sysDup2(k: Kernel): SyscallResult {
  const oldfd = k.argInt(0)
  const newfd = k.argInt(1)
  if (oldfd === newfd) return k.files.get(oldfd) ? newfd : -EBADF
  return dupTo(k, oldfd, newfd, false)
}

export function sysDup3(k: Kernel): SyscallResult {
  const oldfd = k.argInt(0)
  const newfd = k.argInt(1)
  const flags = k.argInt(2)
  if (oldfd === newfd || (flags & ~O_CLOEXEC)) return -EINVAL
  return dupTo(k, oldfd, newfd, (flags & O_CLOEXEC) !== 0)
}

export function sysFcntl(k: Kernel): SyscallResult {
  const fd = k.argInt(0)
  const descriptor = k.files.descriptor(fd)
  if (!descriptor) return -EBADF
  const cmd = k.argInt(1)
  const arg = k.argInt(2)
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      if (arg < 0 || arg >= MAX_FDS) return -EINVAL
      return k.files.install(descriptor.file, cmd === F_DUPFD_CLOEXEC, arg)
    case F_GETFD:
      return descriptor.cloexec ? FD_CLOEXEC : 0
    case F_SETFD:
      descriptor.cloexec = (arg & FD_CLOEXEC) !== 0
      return 0
    case F_GETFL:
      return descriptor.file.flags
    case F_SETFL: {
      // Only O_APPEND, O_NONBLOCK and a few others may change; the access mode stays.
      const changeable = O_APPEND | 0o4000
      descriptor.file.flags = (descriptor.file.flags & ~changeable) | (arg & changeable)
      return 0
    }
    default:
      return -EINVAL
  }
}

export function sysIoctl(k: Kernel): SyscallResult {
  const file = k.files.get(k.argInt(0))
  if (!file) return -EBADF
  const request = k.arg(1) >>> 0
  const argp = k.arg(2)
  if (request === FIONREAD) {
    if (file.target.type === 'stdin') {
      k.memory.writeBytes(argp, u32(k.stdin.buffered))
      return 0
    }
    if (file.target.type === 'node' && file.target.node.kind === 'file') {
      k.memory.writeBytes(argp, u32(Math.max(0, file.target.node.size - file.offset)))
      return 0
    }
  }
  if (!isTty(k, file.target)) return -ENOTTY
  switch (request) {
    case TCGETS:
      k.memory.writeBytes(argp, terminalSettings())
      return 0
    case TIOCGWINSZ: {
      const winsize = new Uint8Array(8)
      new DataView(winsize.buffer).setUint16(0, k.terminalSize.rows, true)
      new DataView(winsize.buffer).setUint16(2, k.terminalSize.columns, true)
      k.memory.writeBytes(argp, winsize)
      return 0
    }
    case TIOCGPGRP:
      k.memory.writeBytes(argp, u32(k.identity.pid))
      return 0
    default:
      return -ENOTTY
  }
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value, true)
  return out
}

/** struct termios (kernel, 36 bytes) of a terminal in its default cooked mode (stty sane). */
function terminalSettings(): Uint8Array {
  const out = new Uint8Array(36)
  const view = new DataView(out.buffer)
  view.setUint32(0, 0x500, true) // c_iflag: ICRNL | IXON
  view.setUint32(4, 0x5, true) // c_oflag: OPOST | ONLCR
  view.setUint32(8, 0xbf, true) // c_cflag: B38400 | CS8 | CREAD
  view.setUint32(12, 0x8a3b, true) // c_lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
  out.set([3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0], 17) // c_cc (VINTR...)
  return out
}

// --- directories and names -------------------------------------------------------------------

export function sysGetcwd(k: Kernel): SyscallResult {
  const bytes = new TextEncoder().encode(k.vfs.cwd + '\0')
  if (k.arg(1) < bytes.length) return -ERANGE
  k.memory.writeBytes(k.arg(0), bytes)
  return bytes.length
}

export function sysChdir(k: Kernel): SyscallResult {
  try {
    const path = k.vfs.normalize(readPath(k, k.arg(0)))
    if (k.vfs.lookup(path, true).kind !== 'dir') return -ENOTDIR
    k.vfs.cwd = path
    return 0
  } catch (error) {
    return errnoOf(error)
  }
}

export function sysMkdir(k: Kernel): SyscallResult {
  return pathCall(k, AT_FDCWD, k.arg(0), (path) => k.vfs.mkdir(path, k.argInt(1) & ~k.umask))
}

export function sysMkdirat(k: Kernel): SyscallResult {
  return pathCall(k, k.argInt(0), k.arg(1), (path) => k.vfs.mkdir(path, k.argInt(2) & ~k.umask))
}

export function sysUnlink(k: Kernel): SyscallResult {
  return pathCall(k, AT_FDCWD, k.arg(0), (path) => k.vfs.unlink(path, false))
}

export function sysRmdir(k: Kernel): SyscallResult {
  return pathCall(k, AT_FDCWD, k.arg(0), (path) => k.vfs.unlink(path, true))
}

export function sysUnlinkat(k: Kernel): SyscallResult {
  const flags = k.argInt(2)
  if (flags & ~AT_REMOVEDIR) return -EINVAL
  return pathCall(k, k.argInt(0), k.arg(1), (path) => k.vfs.unlink(path, (flags & AT_REMOVEDIR) !== 0))
}

function pathCall(k: Kernel, dirfd: number, pathAddr: number, action: (path: string) => void): SyscallResult {
  try {
    action(k.vfs.normalize(atPath(k, dirfd, readPath(k, pathAddr))))
    return 0
  } catch (error) {
    return errnoOf(error)
  }
}

export function sysFtruncate(k: Kernel): SyscallResult {
  const file = k.files.get(k.argInt(0))
  if (!file) return -EBADF
  const length = k.argSigned(1)
  if (length < 0) return -EINVAL
  if (file.target.type !== 'node' || file.target.node.kind !== 'file' || (file.flags & O_ACCMODE) === O_RDONLY) return -EINVAL
  if (length > k.maxFileBytes) return -EFBIG
  const node = file.target.node
  if (!k.vfs.reserve(node, length)) return -ENOSPC
  node.data.fill(0, node.size, length)
  node.size = length
  return 0
}

export function sysUmask(k: Kernel): SyscallResult {
  const previous = k.umask
  k.umask = k.argInt(0) & 0o777
  return previous
}

const DT_DIR = 4
const DT_REG = 8
const DT_CHR = 2
const DT_LNK = 10

/** getdents64: directory entries as struct linux_dirent64 records. */
export function sysGetdents64(k: Kernel): SyscallResult {
  const file = k.files.get(k.argInt(0))
  if (!file) return -EBADF
  if (file.target.type !== 'node' || file.target.node.kind !== 'dir') return -ENOTDIR
  const dir = file.target.node
  const entries: [string, number, number][] = [['.', dir.ino, DT_DIR], ['..', dir.ino, DT_DIR]]
  for (const [name, node] of dir.entries) {
    const type = nodeFileType(node)
    entries.push([name, node.ino, type === S_IFDIR ? DT_DIR : type === S_IFCHR ? DT_CHR : type === S_IFLNK ? DT_LNK : DT_REG])
  }
  const capacity = k.arg(2)
  const out: number[] = []
  let index = file.offset
  while (index < entries.length) {
    const [name, ino, type] = entries[index]!
    const nameBytes = new TextEncoder().encode(name)
    const length = (19 + nameBytes.length + 1 + 7) & ~7
    if (out.length + length > capacity) {
      if (out.length === 0) return -EINVAL
      break
    }
    const record = new Uint8Array(length)
    const view = new DataView(record.buffer)
    view.setBigUint64(0, BigInt(ino), true)
    view.setBigInt64(8, BigInt(index + 1), true)
    view.setUint16(16, length, true)
    record[18] = type
    record.set(nameBytes, 19)
    out.push(...record)
    index++
  }
  k.memory.writeBytes(k.arg(1), Uint8Array.from(out))
  file.offset = index
  return out.length
}
