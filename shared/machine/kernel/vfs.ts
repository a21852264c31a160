// The per-session virtual filesystem: a tree of directories and regular files (the program
// itself, files the user adds, files the guest creates), device nodes (/dev/null, /dev/zero,
// /dev/urandom) and /proc/self entries generated when they are opened. Paths are resolved
// against the guest's working directory; symlinks exist only as /proc/self/exe.

import { EEXIST, EISDIR, ENAMETOOLONG, ENOENT, ENOTDIR, ENOTEMPTY, EACCES } from './errno'

export const S_IFMT = 0o170000
export const S_IFIFO = 0o010000
export const S_IFCHR = 0o020000
export const S_IFDIR = 0o040000
export const S_IFREG = 0o100000
export const S_IFLNK = 0o120000

const PATH_MAX = 4096

/** Produces up to `length` bytes for a read of a device (an empty array is end of file). */
export type DeviceRead = (length: number) => Uint8Array

export type Node =
  | { kind: 'dir'; ino: number; mode: number; entries: Map<string, Node> }
  | { kind: 'file'; ino: number; mode: number; data: Uint8Array; size: number; writable: boolean }
  | { kind: 'device'; ino: number; mode: number; rdev: number; read: DeviceRead }
  /** Contents computed at open (/proc/self/maps): a read-only snapshot. */
  | { kind: 'generated'; ino: number; mode: number; generate: () => Uint8Array }
  | { kind: 'symlink'; ino: number; target: () => string }

export interface VfsOptions {
  cwd: string
  /** Bytes all regular files together may hold (the session's disk); past it writes get ENOSPC. */
  capacityBytes: number
  /** Bytes of /dev/urandom and /dev/random: the session's seeded generator. */
  randomBytes: (length: number) => Uint8Array
}

/** A file system error: the errno to return. */
export class VfsError extends Error {
  constructor(readonly errno: number) {
    super(`errno ${errno}`)
  }
}

export function makedev(major: number, minor: number): number {
  return (major << 8) | minor
}

export class Vfs {
  readonly root: Node & { kind: 'dir' }
  cwd: string
  private nextIno = 2
  /** Bytes the regular files' buffers hold, against capacityBytes. */
  private storedBytes = 0
  private readonly capacityBytes: number

  constructor(options: VfsOptions) {
    this.root = { kind: 'dir', ino: this.ino(), mode: S_IFDIR | 0o755, entries: new Map() }
    this.cwd = options.cwd
    this.capacityBytes = options.capacityBytes
    for (const dir of ['/tmp', '/home/user', '/etc', '/dev', '/proc/self']) this.mkdirs(dir)
    this.directory('/tmp').mode = S_IFDIR | 0o1777
    const zeros = (n: number) => new Uint8Array(n)
    this.addNode('/dev/null', { kind: 'device', ino: this.ino(), mode: S_IFCHR | 0o666, rdev: makedev(1, 3), read: () => new Uint8Array(0) })
    this.addNode('/dev/zero', { kind: 'device', ino: this.ino(), mode: S_IFCHR | 0o666, rdev: makedev(1, 5), read: zeros })
    this.addNode('/dev/random', { kind: 'device', ino: this.ino(), mode: S_IFCHR | 0o666, rdev: makedev(1, 8), read: options.randomBytes })
    this.addNode('/dev/urandom', { kind: 'device', ino: this.ino(), mode: S_IFCHR | 0o666, rdev: makedev(1, 9), read: options.randomBytes })
  }

  ino(): number {
    return this.nextIno++
  }

  /** Adds a regular file with its parent directories. */
  addFile(path: string, data: Uint8Array, options: { writable: boolean; executable?: boolean; ino?: number }): void {
    const mode = S_IFREG | (options.executable ? 0o755 : options.writable ? 0o644 : 0o444)
    this.storedBytes += data.length
    this.addNode(path, { kind: 'file', ino: options.ino ?? this.ino(), mode, data: data.slice(), size: data.length, writable: options.writable })
  }

  addGenerated(path: string, generate: () => Uint8Array): void {
    this.addNode(path, { kind: 'generated', ino: this.ino(), mode: S_IFREG | 0o444, generate })
  }

  addSymlink(path: string, target: () => string): void {
    this.addNode(path, { kind: 'symlink', ino: this.ino(), target })
  }

  private addNode(path: string, node: Node): void {
    const { parent, name } = this.splitParent(this.absolute(path))
    this.mkdirs(parent).entries.set(name, node)
  }

  private mkdirs(path: string): Node & { kind: 'dir' } {
    let dir = this.root
    for (const part of this.parts(path)) {
      let next = dir.entries.get(part)
      if (!next) {
        next = { kind: 'dir', ino: this.ino(), mode: S_IFDIR | 0o755, entries: new Map() }
        dir.entries.set(part, next)
      }
      if (next.kind !== 'dir') throw new Error(`${path}: a path component is not a directory`)
      dir = next
    }
    return dir
  }

  private directory(path: string): Node & { kind: 'dir' } {
    const node = this.lookup(path, true)
    if (node.kind !== 'dir') throw new VfsError(ENOTDIR)
    return node
  }

  absolute(path: string): string {
    return path.startsWith('/') ? path : `${this.cwd.replace(/\/$/, '')}/${path}`
  }

  private parts(path: string): string[] {
    return path.split('/').filter((p) => p !== '' && p !== '.')
  }

  /** Normalised absolute path with `..` resolved textually (no symlink directories exist). */
  normalize(path: string): string {
    if (path.length >= PATH_MAX) throw new VfsError(ENAMETOOLONG)
    const out: string[] = []
    for (const part of this.parts(this.absolute(path))) {
      if (part === '..') out.pop()
      else out.push(part)
    }
    return '/' + out.join('/')
  }

  private splitParent(path: string): { parent: string; name: string } {
    const normalized = this.normalize(path)
    const slash = normalized.lastIndexOf('/')
    return { parent: normalized.slice(0, slash) || '/', name: normalized.slice(slash + 1) }
  }

  /** Finds the node at path; follows a final symlink when `follow`. Throws VfsError. */
  lookup(path: string, follow: boolean): Node {
    if (path === '') throw new VfsError(ENOENT)
    let node: Node = this.root
    const parts = this.parts(this.normalize(path))
    for (let i = 0; i < parts.length; i++) {
      if (node.kind === 'symlink') node = this.lookup(node.target(), true)
      if (node.kind !== 'dir') throw new VfsError(ENOTDIR)
      const next = node.entries.get(parts[i]!)
      if (!next) throw new VfsError(ENOENT)
      node = next
    }
    if (follow && node.kind === 'symlink') return this.lookup(node.target(), true)
    return node
  }

  /** Creates an empty writable file (open with O_CREAT); the parent must exist. */
  create(path: string, mode: number): Node & { kind: 'file' } {
    const { parent, name } = this.splitParent(path)
    const dir = this.directory(parent)
    if (dir.entries.has(name)) throw new VfsError(EEXIST)
    if (name === '') throw new VfsError(EISDIR)
    if (this.isReadOnlyTree(parent)) throw new VfsError(EACCES)
    const file: Node & { kind: 'file' } = { kind: 'file', ino: this.ino(), mode: S_IFREG | (mode & 0o777), data: new Uint8Array(0), size: 0, writable: true }
    dir.entries.set(name, file)
    return file
  }

  unlink(path: string, directory: boolean): void {
    const { parent, name } = this.splitParent(path)
    const dir = this.directory(parent)
    const node = dir.entries.get(name)
    if (!node) throw new VfsError(ENOENT)
    if (this.isReadOnlyTree(parent)) throw new VfsError(EACCES)
    if (directory) {
      if (node.kind !== 'dir') throw new VfsError(ENOTDIR)
      if (node.entries.size > 0) throw new VfsError(ENOTEMPTY)
    } else if (node.kind === 'dir') {
      throw new VfsError(EISDIR)
    }
    dir.entries.delete(name)
    if (node.kind === 'file') this.storedBytes -= node.data.length
  }

  /**
   * Grows a file's buffer so that `end` bytes fit, keeping its contents; false when the disk
   * is full (ENOSPC). A file unlinked while open keeps counting until then, a small liberty.
   */
  reserve(file: Node & { kind: 'file' }, end: number): boolean {
    if (end <= file.data.length) return true
    const size = Math.max(end, Math.min(file.data.length * 2, end + (1 << 20)), 256)
    const growth = size - file.data.length
    if (this.storedBytes + growth > this.capacityBytes) {
      if (this.storedBytes + (end - file.data.length) > this.capacityBytes) return false
      return this.reserveExactly(file, end)
    }
    return this.reserveExactly(file, size)
  }

  private reserveExactly(file: Node & { kind: 'file' }, size: number): boolean {
    const grown = new Uint8Array(size)
    grown.set(file.data.subarray(0, file.size))
    this.storedBytes += size - file.data.length
    file.data = grown
    return true
  }

  mkdir(path: string, mode: number): void {
    const { parent, name } = this.splitParent(path)
    const dir = this.directory(parent)
    if (dir.entries.has(name)) throw new VfsError(EEXIST)
    if (this.isReadOnlyTree(parent)) throw new VfsError(EACCES)
    dir.entries.set(name, { kind: 'dir', ino: this.ino(), mode: S_IFDIR | (mode & 0o777), entries: new Map() })
  }

  /** /dev and /proc belong to the kernel: the guest creates nothing there. */
  private isReadOnlyTree(path: string): boolean {
    return path === '/dev' || path === '/proc' || path.startsWith('/proc/')
  }
}
