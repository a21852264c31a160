// GNU's disassembly text (objdump, and gdb, which uses the same libopcodes) from iced-x86's
// formatter: AT&T or Intel flavour, hex numbers as 0x…, the mnemonic padded to 6 columns, scale
// `,1` spelled out, segment prefixes that 64-bit mode ignores written as words (`cs nopw`), the
// implicit `%es:`/`%ds:` of string instructions, and the few spellings where iced and libopcodes
// choose differently (`repz ret`, `shr %edx`, `movabs`, `fxch %st(1)`). Symbolic annotations
// (`<main+4>`, `# 0x4c6f00 <g>`) are the debugger's business, not this file's.

import { Code, Formatter, FormatterSyntax, MemorySizeOptions, Mnemonic, OpKind, Register, type Instruction } from 'iced-x86'

export type GnuFlavor = 'att' | 'intel'

/** iced's enums are huge objects: the members used here, read once. */
const MNEMONIC = { Imul: Mnemonic.Imul, Fxch: Mnemonic.Fxch } as const
const OP_REGISTER = OpKind.Register
const NO_REGISTER = Register.None
const ST0 = Register.ST0
const ST7 = Register.ST7

/** `st`, `st(1)`: an x87 stack register as libopcodes names it. */
function x87Name(register: number): string {
  return register === ST0 ? 'st' : `st(${register - ST0})`
}

const isX87Register = (register: number): boolean => register >= ST0 && register <= ST7

/** The accumulator a string instruction implies, by the operand size its PTR keyword states. */
const ACCUMULATORS: Record<string, string> = { BYTE: 'al', WORD: 'ax', DWORD: 'eax', QWORD: 'rax' }

/** `shr %edx`: the D0/D1 shifts and rotates by one, whose count libopcodes leaves implicit. */
let shiftByOneCodes: Set<number> | null = null
/** `movabs`: a 64-bit immediate or a moffs operand, which libopcodes names apart from `mov`. */
let movabsCodes: Set<number> | null = null

function codesNamed(pattern: RegExp): Set<number> {
  const codes = new Set<number>()
  for (const [name, value] of Object.entries(Code)) if (typeof value === 'number' && pattern.test(name)) codes.add(value)
  return codes
}

function isShiftByOne(code: number): boolean {
  shiftByOneCodes ??= codesNamed(/^(Rol|Ror|Rcl|Rcr|Shl|Sal|Shr|Sar)_rm(8|16|32|64)_1$/)
  return shiftByOneCodes.has(code)
}

function isMovabs(code: number): boolean {
  movabsCodes ??= codesNamed(/^Mov_(r64_imm64|(AL|AX|EAX|RAX)_moffs(8|16|32|64)|moffs(8|16|32|64)_(AL|AX|EAX|RAX))$/)
  return movabsCodes.has(code)
}

/**
 * A formatter writing numbers as binutils and capstone both do (lower-case `0x…`, no leading
 * zeros) and rip-relative operands as their targets, branches without a size.
 */
export function lowerHexFormatter(syntax: FormatterSyntax): Formatter {
  const made = new Formatter(syntax)
  made.hexPrefix = '0x'
  made.hexSuffix = ''
  made.uppercaseHex = false
  made.leadingZeros = false
  made.branchLeadingZeros = false
  made.displacementLeadingZeros = false
  made.ripRelativeAddresses = true
  made.showBranchSize = false
  return made
}

const formatters = new Map<string, Formatter>()

function formatter(flavor: GnuFlavor, explicitSegments: boolean): Formatter {
  const key = `${flavor}:${explicitSegments}`
  let made = formatters.get(key)
  if (made) return made
  made = lowerHexFormatter(flavor === 'att' ? FormatterSyntax.Gas : FormatterSyntax.Intel)
  made.smallHexNumbersInDecimal = false
  made.spaceAfterOperandSeparator = false
  made.firstOperandCharIndex = 7
  made.showZeroDisplacements = true
  made.showUselessPrefixes = true
  made.alwaysShowSegmentRegister = explicitSegments
  if (flavor === 'intel') {
    made.uppercaseKeywords = true
    made.memorySizeOptions = MemorySizeOptions.Always
  }
  formatters.set(key, made)
  return made
}

/** Legacy prefixes before the opcode (and REX): how many are 0x66 (operand size). */
function operandSizePrefixes(bytes: Uint8Array): number {
  let count = 0
  for (const byte of bytes) {
    if (byte === 0x66) count++
    else if (![0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65].includes(byte)) break
  }
  return count
}

/** Moves text after the mnemonic so the first operand starts at column 7, as objdump pads. */
function repad(mnemonic: string, operands: string): string {
  return operands === '' ? mnemonic : `${mnemonic.padEnd(6)} ${operands}`
}

function splitMnemonic(text: string): { mnemonic: string; operands: string } {
  const match = /^(\S+)\s*(.*)$/.exec(text)!
  return { mnemonic: match[1]!, operands: match[2]! }
}

/** GNU's text for a decoded instruction whose bytes are `bytes`. */
export function gnuInstructionText(instruction: Instruction, bytes: Uint8Array, flavor: GnuFlavor): string {
  const att = flavor === 'att'
  let text = formatter(flavor, instruction.isStringInstruction).format(instruction).replace(/\s+$/, '')
  const code = instruction.code

  if (instruction.memoryIndex !== NO_REGISTER && instruction.memoryIndexScale === 1) {
    text = att ? text.replace(/\(([^,()]*),(%\w+)\)/, '($1,$2,1)') : text.replace(/\[(\w+)\+([a-z]\w*)(?=[\]+-])/, '[$1+$2*1')
  }
  if (isShiftByOne(code)) text = att ? text.replace(/ \$0x1,/, ' ') : text.replace(/,0x1$/, ',1')
  if (isMovabs(code)) text = text.replace(/^mov\b\s*/, 'movabs ')
  text = x87Operands(text, instruction, att)
  if (instruction.mnemonic === MNEMONIC.Imul && instruction.opCount === 3 && instruction.op1Kind === OP_REGISTER && instruction.op0Register === instruction.op1Register) {
    // iced writes `imul $0x441,%r14d` for a source equal to the destination; libopcodes keeps three operands.
    text = att ? text.replace(/,(%\w+)$/, ',$1,$1') : text.replace(/^(imul\s+)(\w+),/, '$1$2,$2,')
  }
  if (!att) {
    text = text.replace(/\b([cdefgs]s):\[(0x[0-9a-f]+)\]/, '$1:$2')
    // libopcodes prints a negative rip displacement as its 64-bit two's complement in Intel syntax.
    text = text.replace(/\[rip-0x([0-9a-f]+)\]/, (_, magnitude: string) => `[rip+0x${((1n << 64n) - BigInt(`0x${magnitude}`)).toString(16)}]`)
    // Loads and stores name only the other operand; st(0) is implied.
    if (/^(fld|fst|fstp|fild|fist|fistp|fisttp|fbld|fbstp)\s/.test(text)) text = text.replace(/^(\w+\s+)st,/, '$1').replace(/,st$/, '')
    if (isMovabs(code)) text = text.replace(/\w+ PTR \[(0x[0-9a-f]+)\]/, 'ds:$1')
  }
  if (instruction.isStringInstruction && !att) text = intelStringOperands(text)
  text = text.replace(/^rep ret\b/, 'repz ret').replace(/^repe\b/, 'repz').replace(/^repne\b/, 'repnz')
  text = gnuSegmentWords(text, instruction, bytes, att)
  const { mnemonic, operands } = splitMnemonic(text)
  const plain = att ? mnemonic.replace(/^(call|jmp|push|pop)q$/, '$1') : mnemonic
  return /^(rep|repz|repnz|lock|bnd|notrack|cs|ds|es|ss|data16|addr32|xacquire|xrelease)$/.test(mnemonic) ? text : repad(plain, operands)
}

/** x87 instructions iced prints bare (`faddp`, `fxch`) get the registers libopcodes names. */
function x87Operands(text: string, instruction: Instruction, att: boolean): string {
  if (!/^f\w+$/.test(text) || instruction.opCount === 0) return text
  const registers = [instruction.op0Register, instruction.op1Register].slice(0, instruction.opCount)
  if (!registers.every(isX87Register)) return text
  // fxch names only the register exchanged with st(0).
  const named = instruction.mnemonic === MNEMONIC.Fxch ? registers.filter((r) => r !== ST0) : registers
  const names = named.map((r) => (att ? `%${x87Name(r)}` : x87Name(r)))
  return repad(text, (att ? names.reverse() : names).join(','))
}

/** Intel string instructions: the size is on the operands (`movs`), and the accumulator is written out. */
function intelStringOperands(text: string): string {
  const sized = text.replace(/\b(movs|stos|lods|scas|cmps|ins|outs)[bwdq](?=\s)/, '$1')
  const match = /\b(stos|lods|scas)(\s+)(BYTE|WORD|DWORD|QWORD) PTR/.exec(sized)
  if (!match) return sized
  const accumulator = ACCUMULATORS[match[3]!]!
  return match[1] === 'stos' ? `${sized},${accumulator}` : sized.replace(match[0], `${match[1]}${match[2]}${accumulator},${match[3]} PTR`)
}

/**
 * In 64-bit mode a cs/ds/es/ss override does nothing outside string instructions, and
 * libopcodes prints it as a word before the mnemonic (`cs nopw 0x0(%rax,%rax,1)`), with one
 * `data16` for each operand-size prefix beyond the first.
 */
function gnuSegmentWords(text: string, instruction: Instruction, bytes: Uint8Array, att: boolean): string {
  if (instruction.isStringInstruction) return text
  const segment = att ? /%(cs|ds|es|ss):/.exec(text) : /\b(cs|ds|es|ss):(?=\[)/.exec(text)
  if (!segment) return text
  const { mnemonic, operands } = splitMnemonic(text.replace(segment[0], ''))
  const extraSizePrefixes = Math.max(0, operandSizePrefixes(bytes) - 1)
  return `${'data16 '.repeat(extraSizePrefixes)}${segment[1]} ${mnemonic} ${operands}`.trimEnd()
}
