import { CommandError, type Command } from '../command'
import { GENERAL_REGISTERS, formatEflags, SEGMENT_SELECTORS } from '../registers'
import { frameArguments, hex, hex16 } from '../report'
import { symbolize } from '../target-environment'
import { displayName } from '../source-files'
import type { DebugSession } from '../session'
import type { OutputBuilder } from '../output'
import { infoAllRegisters, infoArgs, infoLine, infoLocals, infoSharedLibrary, infoSource, infoSymbol } from '../info-views'

const pad = (text: string, width: number): string => text.padEnd(width)

/** `rax            0x1c                28`: gdb's columns (15, then 19). */
function registerLine(session: DebugSession, name: string, value: bigint): string {
  let natural: string
  if (name === 'rip') {
    const inferior = session.requireLive()
    const where = symbolize(inferior.program, inferior, value)
    natural = where ? `${hex(value)} <${where}>` : hex(value)
  } else if (name === 'eflags') natural = formatEflags(value)
  else if (name === 'rbp' || name === 'rsp') natural = hex(value)
  else natural = BigInt.asIntN(64, value).toString()
  return `${pad(name, 15)}${pad(hex(value), 20)}${natural}`
}

/** `info registers`: the general group; named registers may be any, as `info all-registers`. */
function infoRegisters(session: DebugSession, args: string, out: OutputBuilder): void {
  if (args.trim() === '') generalRegisters(session, args, out)
  else infoAllRegisters(session, args, out, generalRegisters)
}

function generalRegisters(session: DebugSession, args: string, out: OutputBuilder): void {
  const inferior = session.requireLive()
  const names = args.trim() === '' ? [...GENERAL_REGISTERS, 'rip', 'eflags', ...Object.keys(SEGMENT_SELECTORS), 'fs_base', 'gs_base'] : args.trim().split(/\s+/).map((n) => n.replace(/^\$/, ''))
  for (const name of names) {
    const value = session.selectedFrameLevel > 0 && ['rip', 'pc', 'rsp', 'rbp'].includes(name) ? frameRegister(session, name) : inferior.register(name)
    if (value === undefined) throw new CommandError(`Invalid register \`${name}'`)
    out.line(registerLine(session, name === 'pc' ? 'rip' : name, value))
  }
}

function frameRegister(session: DebugSession, name: string): bigint {
  const frame = session.selectedFrame()
  return BigInt(name === 'rsp' ? frame.rsp : name === 'rbp' ? frame.rbp : frame.pc)
}

function infoBreakpoints(session: DebugSession, out: OutputBuilder, watchOnly: boolean): void {
  const list = session.breakpoints.all().filter((b) => !watchOnly || b.kind !== 'breakpoint')
  if (list.length === 0) {
    out.line(watchOnly ? 'No watchpoints.' : 'No breakpoints or watchpoints.')
    return
  }
  const hasWatch = list.some((b) => b.kind !== 'breakpoint')
  const typeWidth = hasWatch ? 16 : 15
  out.line(`Num     ${pad('Type', typeWidth)}Disp Enb ${list.some((b) => b.kind === 'breakpoint') ? 'Address            ' : 'Address    '}What`)
  for (const b of list) {
    const disp = b.temporary ? 'del ' : 'keep'
    const enabled = b.enabled ? 'y' : 'n'
    if (b.kind === 'breakpoint') {
      const address = session.inferior ? session.inferior.runtimeAddress(b.addresses[0]!) : b.addresses[0]!
      out.line(`${pad(String(b.number), 8)}${pad('breakpoint', typeWidth)}${disp} ${enabled}   ${hex16(address)} ${b.description}`)
    } else {
      const type = b.kind === 'watch' ? 'hw watchpoint' : b.kind === 'rwatch' ? 'read watchpoint' : 'acc watchpoint'
      out.line(`${pad(String(b.number), 8)}${pad(type, typeWidth)}${disp} ${enabled}   ${pad('', 18)} ${b.expression}`)
    }
    if (b.condition) out.line(`\tstop only if ${b.condition}`)
    if (b.hits > 0) out.line(`\tbreakpoint already hit ${b.hits} time${b.hits === 1 ? '' : 's'}`)
    if (b.ignoreCount > 0) out.line(`\tWill ignore next ${b.ignoreCount} crossings of breakpoint.`)
  }
}

function infoFrame(session: DebugSession, out: OutputBuilder): void {
  const inferior = session.requireLive('No stack.')
  const frames = session.frames()
  const frame = session.selectedFrame()
  const caller = frames[frame.level + 1]
  const callee = frame.level > 0 ? frames[frame.level - 1] : undefined
  const source = inferior.program.debug?.spanAt(inferior.linkAddress(frame.level === 0 ? frame.pc : frame.pc - 1))
  const saved = frame.returnAddressAt === null ? null : inferior.readU64(frame.returnAddressAt)
  const where = `${frame.functionName ?? '??'}${source ? ` (${displayName(inferior.program, source.file)}:${source.line})` : ''}`
  out.line(`Stack level ${frame.level}, frame at ${hex(frame.cfa)}:`)
  out.line(` rip = ${hex(frame.pc)} in ${where}; saved rip = ${saved === null ? '<not saved>' : hex(saved)}`)
  if (caller) out.line(` called by frame at ${hex(caller.cfa)}`)
  if (callee) out.line(` caller of frame at ${hex(callee.cfa)}`)
  if (source) out.line(' source language c.')
  out.line(` Arglist at ${hex(frame.cfa - 16)}, args: ${frameArguments(session, inferior, frame)}`)
  out.line(` Locals at ${hex(frame.cfa - 16)}, Previous frame's sp is ${hex(frame.cfa)}`)
  out.line(' Saved registers:')
  const savedRegisters = [frame.savedRbpAt === null ? null : `rbp at ${hex(frame.savedRbpAt)}`, frame.returnAddressAt === null ? null : `rip at ${hex(frame.returnAddressAt)}`]
  out.line(`  ${savedRegisters.filter((s) => s !== null).join(', ')}`)
}

function infoMappings(session: DebugSession, out: OutputBuilder): void {
  const inferior = session.requireLive('No current process: you must name one.')
  out.line(`process ${inferior.pid}`)
  out.line('Mapped address spaces:')
  out.line()
  out.line(`${'Start Addr'.padStart(18)} ${'End Addr'.padStart(18)} ${'Size'.padStart(10)} ${'Offset'.padStart(10)}  Perms  objfile`)
  for (const r of inferior.machine.regions()) {
    const start = BigInt(r.start)
    const end = BigInt(r.end)
    out.line(`${hex(start).padStart(18)} ${hex(end).padStart(18)} ${hex(end - start).padStart(10)} ${hex(r.offset).padStart(10)}  ${r.perms.padEnd(5)}  ${r.name}`)
  }
}

const SUBCOMMANDS: Record<string, (session: DebugSession, args: string, out: OutputBuilder) => void> = {
  registers: infoRegisters,
  'all-registers': (session, args, out) => infoAllRegisters(session, args, out, generalRegisters),
  breakpoints: (session, _args, out) => infoBreakpoints(session, out, false),
  watchpoints: (session, _args, out) => infoBreakpoints(session, out, true),
  frame: (session, _args, out) => infoFrame(session, out),
  line: infoLine,
  'proc mappings': (session, _args, out) => infoMappings(session, out),
  display: (session, _args, out) => {
    if (session.displays.length === 0) out.line('There are no auto-display expressions now.')
    else {
      out.line('Auto-display expressions now in effect:\nNum Enb Expression')
      for (const d of session.displays) out.line(`${d.number}:   ${d.enabled ? 'y' : 'n'}  ${d.format ? `/${d.format} ` : ''}${d.expression}`)
    }
  },
  locals: infoLocals,
  args: infoArgs,
  symbol: infoSymbol,
  source: infoSource,
  sharedlibrary: infoSharedLibrary,
}

const ALIASES: Record<string, string> = { r: 'registers', b: 'breakpoints', br: 'breakpoints', f: 'frame', reg: 'registers' }

export const infoCommand: Command = {
  name: 'info',
  category: 'status',
  aliases: ['i', 'inf'],
  summary: 'Generic command for showing things about the program being debugged.',
  documentation: [
    'Generic command for showing things about the program being debugged.',
    'info registers [NAME...]   info breakpoints   info watchpoints   info frame',
    'info line [LOCATION]   info proc mappings   info display',
    'info locals   info args   info symbol ADDR   info source   info sharedlibrary   info all-registers',
    'Example: info registers rip rsp',
  ].join('\n'),
  run(args, out, { session }) {
    const words = args.trim().split(/\s+/)
    const first = words[0] ?? ''
    if (first === '') throw new CommandError('List of info subcommands:\n\n' + Object.keys(SUBCOMMANDS).map((s) => `info ${s}`).join('\n'))
    if (first === 'proc') {
      if (words[1] === undefined || 'mappings'.startsWith(words[1])) return SUBCOMMANDS['proc mappings']!(session, '', out)
      throw new CommandError(`Undefined info proc command: "${words[1]}".  Try "help info proc".`)
    }
    const name = ALIASES[first] ?? Object.keys(SUBCOMMANDS).find((s) => s !== 'proc mappings' && s.startsWith(first))
    const handler = name && SUBCOMMANDS[name]
    if (!handler) throw new CommandError(`Undefined info command: "${first}".  Try "help info".`)
    handler(session, words.slice(1).join(' '), out)
  },
}

