// Instruction semantics checked against this machine's CPU: random operands (seeded), one
// instruction per variant, results and defined flags compared with native execution.

import { describe, expect, it } from 'vitest'
import { assembleEach, Emulated, runNative, OFF_FLAGS, OFF_MEM, OFF_XMM0, OFF_XMM1, STATE_BYTES, type Case } from './native'
import { seededU32 } from '../../seeded-random'

const CF = 0x1
const PF = 0x4
const AF = 0x10
const ZF = 0x40
const SF = 0x80
const OF = 0x800
const ALL = CF | PF | AF | ZF | SF | OF

const random = seededU32(20261127)

/** A 64-bit value biased towards edge cases of the given width. */
function value(bits: number): bigint {
  const r = random() % 8
  const mask = (1n << BigInt(bits)) - 1n
  const full = ((BigInt(random()) << 32n) | BigInt(random())) & 0xffffffffffffffffn
  let v: bigint
  switch (r) {
    case 0:
      v = 0n
      break
    case 1:
      v = mask // -1
      break
    case 2:
      v = 1n << BigInt(bits - 1) // most negative
      break
    case 3:
      v = (1n << BigInt(bits - 1)) - 1n // most positive
      break
    case 4:
      v = BigInt(random() % 16)
      break
    default:
      v = full
  }
  // Random garbage above the operand width checks that it is preserved (8/16) or cleared (32).
  return (v & mask) | (full & ~mask & 0xffffffffffffffffn)
}

interface Variant {
  text: string
  /** Defined status flags for an input state (after the instruction). */
  mask: (state: DataView) => number
  /** Adjusts the random input state (constraints such as non-faulting divisors). */
  prepare?: (state: DataView) => void
}

const SIZES = [8, 16, 32, 64] as const
const A: Record<number, string> = { 8: 'al', 16: 'ax', 32: 'eax', 64: 'rax' }
const B: Record<number, string> = { 8: 'bl', 16: 'bx', 32: 'ebx', 64: 'rbx' }
const D: Record<number, string> = { 8: 'dl', 16: 'dx', 32: 'edx', 64: 'rdx' }
const PTR: Record<number, string> = { 8: 'byte', 16: 'word', 32: 'dword', 64: 'qword' }
const MEM = (size: number) => `${PTR[size]} ptr [r15+${OFF_MEM}]`
const all = () => ALL

function randomState(): Uint8Array {
  const state = new Uint8Array(STATE_BYTES)
  const view = new DataView(state.buffer)
  for (let i = 0; i < 8; i++) view.setBigUint64(i * 8, value(64), true)
  view.setBigUint64(OFF_FLAGS, BigInt((random() & ALL) | 0x202), true)
  view.setBigUint64(OFF_MEM, value(64), true)
  view.setBigUint64(OFF_MEM + 8, value(64), true)
  for (let i = 0; i < 8; i++) view.setUint32(OFF_XMM0 + i * 4, Number(value(32) & 0xffffffffn), true)
  return state
}

const variants: Variant[] = []
const group = new Map<string, [number, number]>()
function add(name: string, list: Variant[]) {
  group.set(name, [variants.length, variants.length + list.length])
  variants.push(...list)
}

// Integer ALU: all flags defined except AF for logic ops.
for (const op of ['add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor', 'test']) {
  const logic = ['and', 'or', 'xor', 'test'].includes(op)
  const mask = () => (logic ? ALL & ~AF : ALL)
  const list: Variant[] = []
  for (const s of SIZES) {
    list.push({ text: `${op} ${A[s]}, ${B[s]}`, mask })
    list.push({ text: `${op} ${MEM(s)}, ${B[s]}`, mask })
    if (op !== 'test') list.push({ text: `${op} ${B[s]}, ${MEM(s)}`, mask })
    list.push({ text: `${op} ${D[s]}, ${s === 8 ? 0x81 : s === 16 ? 0x8001 : -0x7ffffff0}`, mask })
    if (s > 8 && op !== 'test') list.push({ text: `${op} ${D[s]}, -3`, mask })
  }
  list.push({ text: `${op} ah, bl`, mask })
  add(op, list)
}

for (const op of ['inc', 'dec', 'neg', 'not']) {
  const list: Variant[] = []
  for (const s of SIZES) {
    list.push({ text: `${op} ${A[s]}`, mask: all })
    list.push({ text: `${op} ${MEM(s)}`, mask: all })
  }
  list.push({ text: `${op} bh`, mask: all })
  add(op, list)
}

/** Flags a shift defines for a given masked count. */
function shiftMask(op: string, size: number, count: number): number {
  if (count === 0) return ALL
  if (op === 'rol' || op === 'ror' || op === 'rcl' || op === 'rcr') return count === 1 ? ALL : ALL & ~OF
  let mask = ALL & ~AF
  if (count !== 1) mask &= ~OF
  if ((op === 'shl' || op === 'shr') && count >= size) mask &= ~CF
  if ((op === 'shld' || op === 'shrd') && count > size) mask = 0
  return mask
}

const clCount = (size: number) => (state: DataView) => state.getUint8(16) & (size === 64 ? 63 : 31)

for (const op of ['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr']) {
  const list: Variant[] = []
  for (const s of SIZES) {
    const count = clCount(s)
    list.push({
      text: `${op} ${A[s]}, cl`,
      mask: (st) => shiftMask(op, s, count(st)),
      prepare: (st) => st.setUint8(16, random() % 3 === 0 ? random() % 4 : random() & 0xff),
    })
    list.push({ text: `${op} ${MEM(s)}, cl`, mask: (st) => shiftMask(op, s, count(st)) })
    list.push({ text: `${op} ${B[s]}, 1`, mask: () => shiftMask(op, s, 1) })
    for (const imm of [0, 3, s - 1, s + 1]) {
      list.push({ text: `${op} ${D[s]}, ${imm}`, mask: () => shiftMask(op, s, imm & (s === 64 ? 63 : 31)) })
    }
  }
  add(op, list)
}

for (const op of ['shld', 'shrd']) {
  const list: Variant[] = []
  for (const s of [16, 32, 64]) {
    const count = clCount(s)
    list.push({
      text: `${op} ${A[s]}, ${B[s]}, cl`,
      mask: (st) => shiftMask(op, s, count(st)),
      prepare: (st) => st.setUint8(16, random() % (s + 1)),
    })
    list.push({ text: `${op} ${MEM(s)}, ${B[s]}, 7`, mask: () => shiftMask(op, s, 7) })
    list.push({ text: `${op} ${D[s]}, ${B[s]}, 1`, mask: () => shiftMask(op, s, 1) })
  }
  add(op, list)
}

{
  const mulMask = () => CF | OF
  const list: Variant[] = []
  for (const s of SIZES) {
    list.push({ text: `mul ${B[s]}`, mask: mulMask })
    list.push({ text: `imul ${MEM(s)}`, mask: mulMask })
    list.push({ text: `imul ${B[s]}`, mask: mulMask })
    if (s > 8) {
      list.push({ text: `imul ${A[s]}, ${B[s]}`, mask: mulMask })
      list.push({ text: `imul ${D[s]}, ${MEM(s)}`, mask: mulMask })
      list.push({ text: `imul ${A[s]}, ${B[s]}, -1234`, mask: mulMask })
      list.push({ text: `imul ${A[s]}, ${B[s]}, 100`, mask: mulMask })
    }
  }
  add('mul', list)
}

{
  // Divisions with operands that cannot fault: the dividend's high half is reduced below the divisor.
  const list: Variant[] = []
  for (const signed of [false, true]) {
    for (const s of SIZES) {
      const op = signed ? 'idiv' : 'div'
      list.push({
        text: `${op} ${B[s]}`,
        mask: () => 0,
        prepare: (st) => prepareDivide(st, s, signed),
      })
    }
  }
  add('div', list)
}

function getBits(st: DataView, off: number, bits: number): bigint {
  return st.getBigUint64(off, true) & ((1n << BigInt(bits)) - 1n)
}

function setBits(st: DataView, off: number, bits: number, v: bigint): void {
  const mask = (1n << BigInt(bits)) - 1n
  const old = st.getBigUint64(off, true)
  st.setBigUint64(off, (old & ~mask & 0xffffffffffffffffn) | (v & mask), true)
}

function prepareDivide(st: DataView, s: number, signed: boolean): void {
  // State offsets: rax 0, rbx 8, rdx 24. For 8-bit the dividend is ax and the divisor bl.
  let divisor = getBits(st, 8, s)
  if (divisor === 0n) divisor = 7n
  setBits(st, 8, s, divisor)
  const toSigned = (v: bigint, bits: number) => BigInt.asIntN(bits, v)
  for (let attempt = 0; attempt < 64; attempt++) {
    let dividend: bigint
    if (s === 8) dividend = getBits(st, 0, 16)
    else dividend = (getBits(st, 24, s) << BigInt(s)) | getBits(st, 0, s)
    const q = signed ? toSigned(dividend, 2 * s) / toSigned(divisor, s) : dividend / divisor
    const fits = signed ? q >= -(1n << BigInt(s - 1)) && q < 1n << BigInt(s - 1) : q < 1n << BigInt(s)
    if (fits) return
    // Shrink the high half of the dividend until the quotient fits.
    if (s === 8) setBits(st, 0, 16, getBits(st, 0, 16) >> 1n)
    else setBits(st, 24, s, signed && attempt > 30 ? 0n : getBits(st, 24, s) >> 1n)
  }
  if (s === 8) setBits(st, 0, 16, getBits(st, 0, 8))
  else setBits(st, 24, s, 0n)
  if (signed) setBits(st, 0, s, getBits(st, 0, s) & ((1n << BigInt(s - 2)) - 1n))
}

{
  const btMask = () => CF
  const list: Variant[] = []
  for (const op of ['bt', 'bts', 'btr', 'btc']) {
    for (const s of [16, 32, 64]) {
      list.push({ text: `${op} ${A[s]}, ${B[s]}`, mask: btMask })
      list.push({ text: `${op} ${A[s]}, ${s - 3}`, mask: btMask })
      list.push({ text: `${op} ${MEM(s)}, 5`, mask: btMask })
      // Bit string in memory: keep the offset within the 16 bytes of the memory operand.
      list.push({ text: `${op} ${MEM(s)}, ${B[s]}`, mask: btMask, prepare: (st) => setBits(st, 8, 64, BigInt(random() % 128)) })
    }
  }
  add('bt', list)
}

{
  const list: Variant[] = []
  for (const op of ['bsf', 'bsr']) {
    for (const s of [16, 32, 64]) {
      list.push({ text: `${op} ${A[s]}, ${B[s]}`, mask: () => ZF })
      list.push({ text: `${op} ${A[s]}, ${MEM(s)}`, mask: () => ZF })
    }
  }
  for (const s of [16, 32, 64]) list.push({ text: `popcnt ${A[s]}, ${B[s]}`, mask: all })
  list.push({ text: 'bswap eax', mask: all }, { text: 'bswap rbx', mask: all })
  add('bitscan', list)
}

{
  const list: Variant[] = []
  const ccs = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g']
  for (const cc of ccs) {
    list.push({ text: `set${cc} al`, mask: all })
    list.push({ text: `cmov${cc} eax, ebx`, mask: all })
    list.push({ text: `cmov${cc} rax, ${MEM(64)}`, mask: all })
    list.push({ text: `cmov${cc} dx, bx`, mask: all })
  }
  add('cc', list)
}

{
  const list: Variant[] = []
  for (const text of [
    'movzx eax, bl', 'movzx eax, bh', 'movzx rax, word ptr [r15+72]', 'movsx eax, bl', 'movsx rax, bx',
    'movsx eax, byte ptr [r15+74]', 'movsx rbx, word ptr [r15+76]', 'movzx ecx, byte ptr [r15+79]', 'movsx rdx, byte ptr [r15+72]',
    'movsx ax, byte ptr [r15+73]', 'movsxd rax, ebx', 'movsxd rdx, dword ptr [r15+72]', 'cbw', 'cwde', 'cdqe', 'cwd', 'cdq', 'cqo',
    'xchg eax, ebx', 'xchg al, bh', 'xchg rax, qword ptr [r15+72]', 'xchg dx, word ptr [r15+74]', 'mov ah, bl', 'mov bx, dx',
    'mov eax, ebx', 'mov dword ptr [r15+75], edx', 'mov al, byte ptr [r15+79]', 'mov rax, 0x123456789abcdef0', 'mov ebx, -1',
    'lea eax, [rbx+rdx*4+100]', 'lea rax, [rbx+rdx*8-0x7fffffff]', 'lea rsi, [rbx+rbx*2]', 'lea ax, [rbx+rdx]', 'lea rdx, [rdi*4+1]',
    'lea ecx, [ebx+edx]', 'lahf', 'sahf', 'cmc', 'clc', 'stc',
  ]) {
    list.push({ text, mask: all })
  }
  for (const s of SIZES) {
    list.push({ text: `xadd ${A[s]}, ${B[s]}`, mask: all })
    list.push({ text: `xadd ${MEM(s)}, ${D[s]}`, mask: all })
    list.push({ text: `cmpxchg ${D[s]}, ${B[s]}`, mask: all, prepare: (st) => random() % 2 === 0 && setBits(st, 24, 64, st.getBigUint64(0, true)) })
    list.push({ text: `lock cmpxchg ${MEM(s)}, ${B[s]}`, mask: all, prepare: (st) => random() % 2 === 0 && setBits(st, OFF_MEM, 64, st.getBigUint64(0, true)) })
  }
  add('move', list)
}

{
  // SSE2: integer lanes, shuffles, moves, and double/single arithmetic.
  const list: Variant[] = []
  for (const op of [
    'pxor', 'por', 'pand', 'pandn', 'paddb', 'paddw', 'paddd', 'paddq', 'psubb', 'psubw', 'psubd', 'psubq', 'paddusb',
    'psubusb', 'paddsw', 'psubsw', 'pcmpeqb', 'pcmpeqw', 'pcmpeqd', 'pcmpgtb', 'pcmpgtw', 'pcmpgtd', 'pminub', 'pmaxub',
    'pminsw', 'pmaxsw', 'pavgb', 'pavgw', 'pmullw', 'pmulhw', 'pmulhuw', 'pmuludq', 'pmaddwd', 'psadbw', 'punpcklbw', 'punpckhbw',
    'punpcklwd', 'punpckhwd', 'punpckldq', 'punpckhdq', 'punpcklqdq', 'punpckhqdq', 'packuswb', 'packsswb', 'packssdw',
    'unpcklps', 'unpckhps', 'unpcklpd', 'unpckhpd', 'psllw', 'pslld', 'psllq', 'psrlw', 'psrld', 'psrlq', 'psraw', 'psrad',
    'andps', 'andnpd', 'orpd', 'xorps', 'movhlps', 'movlhps',
  ]) {
    list.push({ text: `${op} xmm0, xmm1`, mask: all })
  }
  for (const text of [
    'pshufd xmm0, xmm1, 0x1b', 'pshuflw xmm0, xmm1, 0x9c', 'pshufhw xmm0, xmm1, 0x39', 'shufps xmm0, xmm1, 0x4e', 'shufpd xmm0, xmm1, 1',
    'pslldq xmm0, 3', 'psrldq xmm1, 9', 'psllw xmm0, 3', 'psrld xmm1, 31', 'psraw xmm0, 20', 'psrlq xmm0, 33', 'psllq xmm1, 1',
    'pmovmskb eax, xmm0', 'movmskps ebx, xmm1', 'movmskpd eax, xmm0', 'movd eax, xmm1', 'movd xmm0, ebx', 'movq rax, xmm0',
    'movq xmm1, rbx', 'movq xmm0, xmm1', 'movq xmm0, qword ptr [r15+72]', 'movq qword ptr [r15+72], xmm1',
    'movdqu xmm0, xmmword ptr [r15+72]', 'movups xmmword ptr [r15+72], xmm1', 'movss xmm0, xmm1', 'movsd xmm0, xmm1',
    'movsd xmm0, qword ptr [r15+72]', 'movss dword ptr [r15+72], xmm1', 'movlpd xmm0, qword ptr [r15+72]', 'movhps xmm1, qword ptr [r15+72]',
    'movhpd qword ptr [r15+72], xmm0', 'pextrw eax, xmm1, 5', 'pinsrw xmm0, ebx, 3',
  ]) {
    list.push({ text, mask: all })
  }
  add('sse-int', list)
}

/** A double biased towards special values, as raw bits. */
function doubleBits(): bigint {
  const specials = [0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 1e308, -1e-310, Infinity, -Infinity, NaN, 3.141592653589793, 2 ** 63, -(2 ** 31), 4294967296.5]
  const view = new DataView(new ArrayBuffer(8))
  const r = random() % 4
  if (r === 0) view.setFloat64(0, specials[random() % specials.length]!)
  else if (r === 1) view.setFloat64(0, ((random() | 0) / 1024) * (random() % 2 ? 1 : 1e-3))
  else view.setBigUint64(0, (BigInt(random()) << 32n) | BigInt(random()))
  return view.getBigUint64(0)
}

function singleBits(): number {
  const view = new DataView(new ArrayBuffer(4))
  const r = random() % 3
  if (r === 0) view.setFloat32(0, [0, -0, 1, -1, 0.5, 2.5, Infinity, NaN, 3e38, 16777217][random() % 10]!)
  else if (r === 1) view.setFloat32(0, (random() | 0) / 4096)
  else view.setUint32(0, random())
  return view.getUint32(0)
}

{
  const list: Variant[] = []
  const fillDoubles = (st: DataView) => {
    for (const off of [OFF_XMM0, OFF_XMM0 + 8, OFF_XMM1, OFF_XMM1 + 8, OFF_MEM]) st.setBigUint64(off, doubleBits(), true)
  }
  const fillSingles = (st: DataView) => {
    for (let i = 0; i < 4; i++) {
      st.setUint32(OFF_XMM0 + 4 * i, singleBits(), true)
      st.setUint32(OFF_XMM1 + 4 * i, singleBits(), true)
    }
    st.setUint32(OFF_MEM, singleBits(), true)
  }
  for (const op of ['addsd', 'subsd', 'mulsd', 'divsd', 'minsd', 'maxsd', 'sqrtsd', 'addpd', 'mulpd', 'subpd', 'divpd', 'minpd', 'maxpd', 'sqrtpd']) {
    list.push({ text: `${op} xmm0, xmm1`, mask: all, prepare: fillDoubles })
  }
  list.push({ text: 'addsd xmm1, qword ptr [r15+72]', mask: all, prepare: fillDoubles })
  for (const op of ['addss', 'subss', 'mulss', 'divss', 'minss', 'maxss', 'sqrtss', 'addps', 'mulps', 'divps', 'subps']) {
    list.push({ text: `${op} xmm0, xmm1`, mask: all, prepare: fillSingles })
  }
  for (const text of ['ucomisd xmm0, xmm1', 'comisd xmm1, xmm0', 'cvttsd2si eax, xmm0', 'cvtsd2si rax, xmm1', 'cvttsd2si rbx, xmm0',
    'cvtsd2ss xmm0, xmm1', 'cmpsd xmm0, xmm1, 1', 'cmpsd xmm0, xmm1, 4', 'cmppd xmm0, xmm1, 3', 'cmppd xmm0, xmm1, 6', 'cvttpd2dq xmm0, xmm1',
    'cvtpd2ps xmm0, xmm1', 'andpd xmm0, xmm1']) {
    list.push({ text, mask: all, prepare: fillDoubles })
  }
  for (const text of ['ucomiss xmm0, xmm1', 'comiss xmm1, xmm0', 'cvttss2si eax, xmm0', 'cvtss2si rax, xmm1', 'cvtss2sd xmm0, xmm1',
    'cmpss xmm0, xmm1, 2', 'cmpps xmm0, xmm1, 5', 'cvttps2dq xmm0, xmm1', 'cvtps2dq xmm1, xmm0', 'cvtps2pd xmm0, xmm1']) {
    list.push({ text, mask: all, prepare: fillSingles })
  }
  for (const text of ['cvtsi2sd xmm0, eax', 'cvtsi2sd xmm1, rbx', 'cvtsi2ss xmm0, rax', 'cvtsi2ss xmm1, ebx', 'cvtdq2pd xmm0, xmm1', 'cvtdq2ps xmm0, xmm1']) {
    list.push({ text, mask: all })
  }
  add('sse-float', list)
}

{
  // Conditions read from lazily recorded flags: each producer followed by setcc of up to four
  // condition codes (the cc group above only starts from materialised flags).
  const list: Variant[] = []
  const all16 = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g']
  const producers: { text: (n: number) => string; conditions: string[]; sizes: readonly number[]; mask: number }[] = [
    ...['cmp', 'sub', 'add', 'adc', 'sbb', 'test', 'xor'].map((op) => ({ text: (n: number) => `${op} ${A[n]}, ${B[n]}`, conditions: all16, sizes: SIZES, mask: ALL & ~AF })),
    ...['inc', 'dec', 'neg'].map((op) => ({ text: (n: number) => `${op} ${A[n]}`, conditions: all16, sizes: SIZES, mask: ALL })),
    ...['shl', 'sar'].map((op) => ({ text: (n: number) => `${op} ${A[n]}, 1`, conditions: all16, sizes: SIZES, mask: ALL & ~AF })),
    // imul defines only CF and OF, bt only CF: test just the conditions on those.
    { text: (n: number) => `imul ${A[n]}, ${B[n]}`, conditions: ['o', 'no', 'b', 'ae'], sizes: [16, 32, 64], mask: CF | OF },
    { text: (n: number) => `bt ${A[n]}, ${B[n]}`, conditions: ['b', 'ae'], sizes: [16, 32, 64], mask: CF },
  ]
  const targets = ['sil', 'dil', 'r8b', 'r9b']
  for (const producer of producers) {
    for (const n of producer.sizes) {
      for (let i = 0; i < producer.conditions.length; i += 4) {
        const sets = producer.conditions.slice(i, i + 4).map((cc, k) => `set${cc} ${targets[k]}`)
        list.push({ text: [producer.text(n), ...sets].join('\n'), mask: () => producer.mask })
      }
    }
  }
  add('conditions', list)
}

{
  // String instructions and stack moves; pointers are made relative to the state block again
  // at the end (the block's address differs between the native run and the Cpu).
  const list: Variant[] = []
  const relative = 'sub rsi, r15\nsub rdi, r15'
  for (const text of [
    `lea rsi, [r15+72]\nlea rdi, [r15+80]\nand ecx, 7\nrep movsb\n${relative}`,
    `std\nlea rsi, [r15+79]\nlea rdi, [r15+87]\nand ecx, 7\nrep movsb\ncld\n${relative}`,
    `lea rsi, [r15+72]\nlea rdi, [r15+76]\nand ecx, 3\nrep movsw\n${relative}`,
    'lea rdi, [r15+72]\nand ecx, 1\nrep stosq\nsub rdi, r15',
    'std\nlea rdi, [r15+84]\nand ecx, 3\nrep stosd\ncld\nsub rdi, r15',
    `lea rsi, [r15+72]\nlea rdi, [r15+80]\nand ecx, 7\nrepe cmpsb\n${relative}`,
    `lea rsi, [r15+72]\nlea rdi, [r15+76]\nand ecx, 3\nrepne cmpsw\n${relative}`,
    'lea rdi, [r15+72]\nand ecx, 15\nrepne scasb\nsub rdi, r15',
    'lea rdi, [r15+72]\nand ecx, 3\nrepe scasd\nsub rdi, r15',
    'lea rsi, [r15+72]\nlodsd\nsub rsi, r15',
    'std\nlea rsi, [r15+80]\nlodsq\ncld\nsub rsi, r15',
    'push qword ptr [r15+72]\npop qword ptr [r15+80]',
    'push -5\npop rdx',
    'push rbx\npushfq\npop rax\npop rdx',
  ]) {
    list.push({ text, mask: all })
  }
  add('string', list)
}

{
  // x87: arithmetic on doubles in extended precision, conversions and comparisons.
  const list: Variant[] = []
  const fill = (st: DataView) => {
    st.setBigUint64(OFF_MEM, doubleBits(), true)
    st.setBigUint64(OFF_MEM + 8, doubleBits(), true)
  }
  const load2 = 'fld qword ptr [r15+72]\nfld qword ptr [r15+80]'
  for (const op of ['faddp', 'fsubp', 'fsubrp', 'fmulp', 'fdivp', 'fdivrp']) {
    list.push({ text: `${load2}\n${op}\nfstp tbyte ptr [r15+72]`, mask: all, prepare: fill })
    list.push({ text: `${load2}\n${op}\nfstp qword ptr [r15+72]`, mask: all, prepare: fill })
    list.push({ text: `${load2}\n${op}\nfstp dword ptr [r15+72]`, mask: all, prepare: fill })
  }
  for (const text of [
    `${load2}\nfmul st(0), st(1)\nfmul st(0), st(0)\nfaddp\nfstp tbyte ptr [r15+72]`,
    `${load2}\nfdiv st(1), st(0)\nfstp st(0)\nfld1\nfaddp\nfstp tbyte ptr [r15+72]`,
    'fld qword ptr [r15+72]\nfsqrt\nfstp tbyte ptr [r15+72]',
    'fld qword ptr [r15+72]\nfchs\nfabs\nfld dword ptr [r15+80]\nfxch\nfsubrp\nfstp qword ptr [r15+72]',
    'fld qword ptr [r15+72]\nfrndint\nfstp qword ptr [r15+72]',
    'fild qword ptr [r15+72]\nfstp qword ptr [r15+80]',
    'fild dword ptr [r15+72]\nfild word ptr [r15+76]\nfaddp\nfstp tbyte ptr [r15+72]',
    'fld qword ptr [r15+72]\nfistp qword ptr [r15+80]',
    'fld qword ptr [r15+72]\nfistp dword ptr [r15+80]',
    `${load2}\nfucomip st, st(1)\nfstp st(0)`,
    `${load2}\nfcomip st, st(1)\nfstp st(0)`,
    `${load2}\nfucompp\nfnstsw ax\nand eax, 0x4500`,
    'fldz\nfld qword ptr [r15+72]\nfucomip st, st(1)\nfstp st(0)',
    'fld qword ptr [r15+72]\nfstp tbyte ptr [r15+72]\nfld tbyte ptr [r15+72]\nfmul st(0), st(0)\nfstp tbyte ptr [r15+72]',
  ]) {
    list.push({ text, mask: all, prepare: fill })
  }
  add('x87', list)
}

const CASES_PER_VARIANT = 40

describe('instruction semantics against the native CPU', () => {
  const codes = assembleEach(variants.map((v) => v.text))
  const cases: Case[] = []
  variants.forEach((v, k) => {
    for (let i = 0; i < CASES_PER_VARIANT; i++) {
      const state = randomState()
      const view = new DataView(state.buffer)
      v.prepare?.(view)
      cases.push({ variant: k, state, flagMask: v.mask(view) })
    }
  })
  const native = runNative(
    variants.map((v) => v.text),
    cases,
  )
  const emulated = new Emulated(codes)

  for (const [name, [from, to]] of group) {
    it(`${name}: ${(to - from) * CASES_PER_VARIANT} cases`, () => {
      const failures: string[] = []
      cases.forEach((c, i) => {
        if (c.variant < from || c.variant >= to) return
        const expected = native[i]!
        let actual: Uint8Array
        try {
          actual = emulated.run(c.variant, c.state)
        } catch (e) {
          failures.push(`${variants[c.variant]!.text}: ${(e as Error).message}`)
          return
        }
        const diff = compare(expected, actual, c.flagMask)
        if (diff !== null && failures.length < 12) failures.push(`${variants[c.variant]!.text}: ${diff}\n  in  ${hex(c.state)}`)
      })
      expect(failures).toEqual([])
    })
  }
})

function hex(state: Uint8Array): string {
  const v = new DataView(state.buffer, state.byteOffset)
  const q = (o: number) => v.getBigUint64(o, true).toString(16)
  return `rax=${q(0)} rbx=${q(8)} rcx=${q(16)} rdx=${q(24)} fl=${q(OFF_FLAGS)} mem=${q(OFF_MEM)}:${q(OFF_MEM + 8)} xmm0=${q(OFF_XMM0 + 8)}:${q(OFF_XMM0)} xmm1=${q(OFF_XMM1 + 8)}:${q(OFF_XMM1)}`
}

function compare(expected: Uint8Array, actual: Uint8Array, flagMask: number): string | null {
  const e = new DataView(expected.buffer, expected.byteOffset)
  const a = new DataView(actual.buffer, actual.byteOffset)
  const names = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9']
  for (let i = 0; i < 8; i++) {
    if (e.getBigUint64(i * 8, true) !== a.getBigUint64(i * 8, true)) {
      return `${names[i]} expected ${e.getBigUint64(i * 8, true).toString(16)} got ${a.getBigUint64(i * 8, true).toString(16)}`
    }
  }
  const ef = e.getUint32(OFF_FLAGS, true) & flagMask
  const af = a.getUint32(OFF_FLAGS, true) & flagMask
  if (ef !== af) return `flags expected ${ef.toString(16)} got ${af.toString(16)} (mask ${flagMask.toString(16)})`
  for (let o = OFF_MEM; o < OFF_MEM + 16; o += 8) {
    if (e.getBigUint64(o, true) !== a.getBigUint64(o, true)) return `mem+${o - OFF_MEM} expected ${e.getBigUint64(o, true).toString(16)} got ${a.getBigUint64(o, true).toString(16)}`
  }
  for (let o = OFF_XMM0; o < OFF_XMM1 + 16; o += 8) {
    if (e.getBigUint64(o, true) !== a.getBigUint64(o, true)) {
      return `xmm${o >= OFF_XMM1 ? 1 : 0}.q${((o - OFF_XMM0) / 8) % 2} expected ${e.getBigUint64(o, true).toString(16)} got ${a.getBigUint64(o, true).toString(16)}`
    }
  }
  return null
}
