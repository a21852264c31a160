// RFLAGS bits and the lazy-flag operation kinds. Arithmetic instructions record what they did
// (kind, operand size, operands, result); the flags themselves are computed only when read.

export const CF = 0x1
export const PF = 0x4
export const AF = 0x10
export const ZF = 0x40
export const SF = 0x80
export const TF = 0x100
export const IF = 0x200
export const DF = 0x400
export const OF = 0x800
export const ID = 0x200000
/** The six arithmetic status flags. */
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF
/** Bit 1 of RFLAGS always reads as 1. */
export const RFLAGS_FIXED = 0x2
/** Flags a user-mode popf may change (IOPL, VM, RF and the like stay). */
export const USER_WRITABLE_FLAGS = STATUS_FLAGS | TF | DF | 0x40000 /* AC */ | ID

/** Lazy kinds: how to derive the status flags from (a, b, result). */
export const enum Lazy {
  /** flags hold the materialised value */
  Eager = 0,
  Add = 1,
  /** add with carry: carry-in in `cin` */
  Adc = 2,
  Sub = 3,
  Sbb = 4,
  /** inc/dec: like add/sub of 1, but CF is the preserved `cin` */
  Inc = 5,
  Dec = 6,
  /** ZF/SF/PF from the result; CF, OF and AF given explicitly (shifts, multiplies) */
  Result = 7,
  /** ZF/SF/PF from the result; CF = OF = AF = 0 (and, or, xor, test) */
  Logic = 8,
}

/** PARITY[b] is PF for the byte b (set when the number of 1 bits is even). */
export const PARITY = new Uint8Array(256)
for (let i = 0; i < 256; i++) {
  let bits = 0
  for (let v = i; v !== 0; v >>= 1) bits += v & 1
  PARITY[i] = bits % 2 === 0 ? PF : 0
}

/** x86 condition codes in encoding order (the low nibble of jcc/setcc/cmovcc). */
export const enum Cond {
  O = 0,
  NO = 1,
  B = 2,
  AE = 3,
  E = 4,
  NE = 5,
  BE = 6,
  A = 7,
  S = 8,
  NS = 9,
  P = 10,
  NP = 11,
  L = 12,
  GE = 13,
  LE = 14,
  G = 15,
}
