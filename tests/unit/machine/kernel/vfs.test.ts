// The virtual filesystem on its own: path resolution, creation and removal, and errno values.

import { describe, expect, test } from 'vitest'
import { S_IFCHR, S_IFDIR, S_IFMT, S_IFREG, Vfs, VfsError } from '../../../../shared/machine/kernel/vfs'
import { EACCES, EEXIST, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY } from '../../../../shared/machine/kernel/errno'

function vfs(): Vfs {
  const v = new Vfs({ cwd: '/home/user', capacityBytes: 4096, randomBytes: (n) => new Uint8Array(n).fill(7) })
  v.addFile('/home/user/a.txt', new TextEncoder().encode('abc'), { writable: true })
  v.addSymlink('/proc/self/exe', () => '/home/user/a.txt')
  return v
}

function errno(action: () => unknown): number {
  try {
    action()
  } catch (error) {
    if (error instanceof VfsError) return error.errno
    throw error
  }
  return 0
}

describe('virtual filesystem', () => {
  test('resolves relative paths, dot and dot-dot against the working directory', () => {
    const v = vfs()
    expect(v.normalize('a.txt')).toBe('/home/user/a.txt')
    expect(v.normalize('./x/../a.txt')).toBe('/home/user/a.txt')
    expect(v.normalize('/../../etc')).toBe('/etc')
    expect(v.lookup('../user/a.txt', true).kind).toBe('file')
  })

  test('has the standard directories and devices', () => {
    const v = vfs()
    for (const dir of ['/', '/tmp', '/home/user', '/dev', '/proc/self', '/etc']) {
      const node = v.lookup(dir, true)
      expect(node.kind === 'dir' && node.mode & S_IFMT).toBe(S_IFDIR)
    }
    const urandom = v.lookup('/dev/urandom', true)
    expect(urandom.kind === 'device' && urandom.mode & S_IFMT).toBe(S_IFCHR)
    expect(urandom.kind === 'device' && [...urandom.read(3)]).toEqual([7, 7, 7])
    const zero = v.lookup('/dev/null', true)
    expect(zero.kind === 'device' && zero.read(10).length).toBe(0)
  })

  test('follows a final symlink only when asked', () => {
    const v = vfs()
    expect(v.lookup('/proc/self/exe', false).kind).toBe('symlink')
    expect(v.lookup('/proc/self/exe', true).kind).toBe('file')
  })

  test('reports the errno Linux gives', () => {
    const v = vfs()
    expect(errno(() => v.lookup('/missing', true))).toBe(ENOENT)
    expect(errno(() => v.lookup('/home/user/a.txt/x', true))).toBe(ENOTDIR)
    expect(errno(() => v.lookup('', true))).toBe(ENOENT)
    expect(errno(() => v.create('/home/user/a.txt', 0o644))).toBe(EEXIST)
    expect(errno(() => v.create('/nowhere/file', 0o644))).toBe(ENOENT)
    expect(errno(() => v.create('/dev/new', 0o644))).toBe(EACCES)
    expect(errno(() => v.unlink('/home/user', false))).toBe(EISDIR)
    expect(errno(() => v.unlink('/home', true))).toBe(ENOTEMPTY)
    expect(errno(() => v.unlink('/home/user/a.txt', true))).toBe(ENOTDIR)
    expect(errno(() => v.mkdir('/tmp', 0o755))).toBe(EEXIST)
  })

  test('files share a fixed capacity; removing a file gives its bytes back', () => {
    const v = vfs()
    const big = v.create('/tmp/big', 0o644)
    expect(v.reserve(big, 4000)).toBe(true)
    expect(v.reserve(v.create('/tmp/more', 0o644), 200)).toBe(false)
    v.unlink('/tmp/big', false)
    expect(v.reserve(v.create('/tmp/again', 0o644), 3000)).toBe(true)
  })

  test('creates, lists and removes files and directories', () => {
    const v = vfs()
    v.mkdir('/tmp/d', 0o755)
    const file = v.create('/tmp/d/f', 0o600)
    expect(file.mode).toBe(S_IFREG | 0o600)
    expect(file.writable).toBe(true)
    const dir = v.lookup('/tmp/d', true)
    expect(dir.kind === 'dir' && [...dir.entries.keys()]).toEqual(['f'])
    v.unlink('/tmp/d/f', false)
    v.unlink('/tmp/d', true)
    expect(errno(() => v.lookup('/tmp/d', true))).toBe(ENOENT)
  })
})
