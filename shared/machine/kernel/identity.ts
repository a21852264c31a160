// Who the process is: its ids (a fixed, realistic pid; an ordinary user, uid 1000) and the
// machine it believes it runs on: uname reports the kernel whose behaviour the simulation
// reproduces (the layout, vDSO and fault messages were measured on Linux 6.18, realism.md).

import type { Kernel } from './kernel'
import type { SyscallResult } from './syscall-result'
import { EINVAL, EPERM, ESRCH } from './errno'

export interface Identity {
  pid: number
  /** The shell that started the program. */
  ppid: number
  uid: number
  gid: number
}

/** A pid like the ones an interactive shell's children get on a freshly booted machine. */
export const DEFAULT_PID = 4242
export const DEFAULT_UID = 1000

export const UNAME = {
  sysname: 'Linux',
  nodename: 'memscape',
  release: '6.18.44',
  version: '#1 SMP PREEMPT_DYNAMIC',
  machine: 'x86_64',
  domainname: '(none)',
} as const

export function sysGetpid(k: Kernel): SyscallResult {
  return k.identity.pid
}

/** The only thread's id is the process id. */
export const sysGettid = sysGetpid

export function sysGetppid(k: Kernel): SyscallResult {
  return k.identity.ppid
}

export function sysGetuid(k: Kernel): SyscallResult {
  return k.identity.uid
}

export function sysGetgid(k: Kernel): SyscallResult {
  return k.identity.gid
}

/** The process leads its own process group and session, as a shell's foreground job does. */
export function sysGetpgid(k: Kernel): SyscallResult {
  const pid = k.argInt(0)
  return pid === 0 || pid === k.identity.pid ? k.identity.pid : -ESRCH
}

export function sysGetpgrp(k: Kernel): SyscallResult {
  return k.identity.pid
}

export function sysGetresuid(k: Kernel): SyscallResult {
  return writeIds(k, k.identity.uid)
}

export function sysGetresgid(k: Kernel): SyscallResult {
  return writeIds(k, k.identity.gid)
}

function writeIds(k: Kernel, id: number): SyscallResult {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, id, true)
  for (let i = 0; i < 3; i++) k.memory.writeBytes(k.arg(i), out)
  return 0
}

export function sysGetgroups(k: Kernel): SyscallResult {
  const size = k.argInt(0)
  if (size < 0) return -EINVAL
  if (size === 0) return 1
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, k.identity.gid, true)
  k.memory.writeBytes(k.arg(1), out)
  return 1
}

/** setuid/setgid family: an unprivileged process may only "change" to the ids it has. */
export function sysSetid(k: Kernel): SyscallResult {
  const id = k.argInt(0)
  return id === -1 || id === k.identity.uid || id === k.identity.gid ? 0 : -EPERM
}

export function sysUname(k: Kernel): SyscallResult {
  const out = new Uint8Array(65 * 6)
  const fields = [UNAME.sysname, UNAME.nodename, UNAME.release, UNAME.version, UNAME.machine, UNAME.domainname]
  fields.forEach((field, i) => out.set(new TextEncoder().encode(field), i * 65))
  k.memory.writeBytes(k.arg(0), out)
  return 0
}
