// The memory system calls: mmap, munmap, mprotect, mremap, brk, madvise, msync. The address
// space (../address-space) implements the kernel's VMA rules and returns an address or -errno;
// this file decodes the arguments, resolves file descriptors for file mappings, and handles
// the calls that only touch page contents (madvise).

import type { Kernel } from './kernel'
import type { SyscallResult } from './syscall-result'
import { EACCES, EBADF, EINVAL, ENODEV } from './errno'
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_TYPE, type MappedFile } from '../address-space'
import { PAGE_SIZE, PROT_WRITE } from '../memory'
import { O_ACCMODE, O_RDWR, O_WRONLY, diskDevice } from './files'

export function sysMmap(k: Kernel): SyscallResult {
  const addr = k.arg(0)
  const length = k.arg(1)
  const prot = k.argInt(2)
  const flags = k.argInt(3)
  const fd = k.argInt(4)
  const offset = k.arg(5)
  let file: MappedFile | null = null
  if (!(flags & MAP_ANONYMOUS)) {
    const open = k.files.get(fd)
    if (!open) return -EBADF
    if (open.target.type !== 'node' || open.target.node.kind !== 'file') return -ENODEV
    const access = open.flags & O_ACCMODE
    if (access === O_WRONLY) return -EACCES
    const shared = (flags & MAP_TYPE) !== MAP_PRIVATE
    if (shared && (prot & PROT_WRITE) && access !== O_RDWR) return -EACCES
    const node = open.target.node
    file = {
      path: open.target.path,
      device: diskDevice(open.target.path),
      inode: node.ino,
      bytes: node.data.subarray(0, node.size),
      writable: access === O_RDWR && node.writable,
    }
  }
  return k.space.mmap(addr, length, prot, flags, file, offset)
}

export function sysMunmap(k: Kernel): SyscallResult {
  return k.space.munmap(k.arg(0), k.arg(1))
}

export function sysMprotect(k: Kernel): SyscallResult {
  return k.space.mprotect(k.arg(0), k.arg(1), k.argInt(2))
}

export function sysMremap(k: Kernel): SyscallResult {
  return k.space.mremap(k.arg(0), k.arg(1), k.arg(2), k.argInt(3), k.arg(4))
}

export function sysBrk(k: Kernel): SyscallResult {
  return k.space.brk(k.arg(0))
}

const MADV_DONTNEED = 4
const MADV_REMOVE = 9

/**
 * madvise: advice changes no contents except MADV_DONTNEED, after which private pages read
 * back as zeros (anonymous) or as the file's bytes again (file mappings). MADV_FREE pages are
 * only dropped under memory pressure, which a lone process here never meets: they keep their data.
 */
export function sysMadvise(k: Kernel): SyscallResult {
  const start = k.arg(0)
  const length = k.arg(1)
  const advice = k.argInt(2)
  if (start % PAGE_SIZE !== 0) return -EINVAL
  if (advice === MADV_REMOVE) return -EINVAL
  if (advice !== MADV_DONTNEED) return 0
  const end = start + Math.ceil(length / PAGE_SIZE) * PAGE_SIZE
  const zeros = new Uint8Array(PAGE_SIZE)
  // Walk the areas in the range rather than every page of it: a guest may pass a huge length.
  for (const vma of k.space.vmas()) {
    if (vma.end <= start || vma.start >= end || vma.shared || !vma.populated) continue
    for (let page = Math.max(start, vma.start); page < Math.min(end, vma.end); page += PAGE_SIZE) {
      if (!k.memory.isMapped(page)) continue
      if (vma.file) {
        const at = page - vma.start + vma.offset
        const bytes = new Uint8Array(PAGE_SIZE)
        bytes.set(vma.file.bytes.subarray(at, at + PAGE_SIZE))
        k.memory.poke(page, bytes)
      } else {
        k.memory.poke(page, zeros)
      }
    }
  }
  return 0
}

export function sysMsync(k: Kernel): SyscallResult {
  const flags = k.argInt(2)
  if (k.arg(0) % PAGE_SIZE !== 0 || flags & ~7 || (flags & 1 && flags & 4)) return -EINVAL
  return 0
}
