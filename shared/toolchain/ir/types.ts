/**
 * The intermediate form shared by every Memscape front end (C now, a Rust-like language later)
 * and the x86-64 back end. See README.md in this folder for the contract and an example.
 *
 * The form is a tree: a function body is a list of statements, each statement holds expression
 * trees. Every named variable lives in a frame object (a stack slot) and is read and written
 * through `load`/`store` of its address, exactly the way gcc -O0 code touches memory, so the
 * back end never needs a register allocator and the frame layout stays what a learner expects.
 */

import type { DwarfType } from '../../debuginfo/model'

/** Integer machine types. `ptr` is a 64-bit unsigned address. Signedness decides extension,
 *  division, right shift and comparison; there are no floating-point types. */
export type IntType = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'ptr'

export type Linkage = 'global' | 'static'

/** Source position for debug info and diagnostics (1-based). */
export interface SourceLocation {
  readonly line: number
  readonly column?: number
}

/** Debug description of a variable's type, opaque to the back end: `text` is how the source
 *  language spells it (`char [64]`, `struct point *`), `info` its structure as debug info
 *  describes it (members, offsets, element counts). Without `info` the debug info can only label
 *  the object as raw bytes of its size. */
export interface DebugType {
  readonly text: string
  readonly info?: DwarfType
}

// ---------------------------------------------------------------------------------------------
// Module and globals
// ---------------------------------------------------------------------------------------------

export interface IrModule extends IrModuleData {
  readonly functions: readonly IrFunction[]
}

/** A module without its functions: what a front end delivers at the unit's end when it hands
 *  each function to the back end as soon as it is lowered (so that function's IR dies young). */
export interface IrModuleData {
  /** The main source file name, used for debug info and `.file`. */
  readonly sourceFile: string
  readonly globals: readonly IrGlobal[]
  /** Symbols used but defined elsewhere (functions or data). Referencing an undeclared symbol is
   *  allowed too; the linker reports it if nobody defines it. */
  readonly externs?: readonly string[]
}

export type DataSection = 'data' | 'rodata' | 'bss'

/** A pointer-sized (or 4-byte) slot inside a global's initial bytes that the linker fills with
 *  the address of `symbol` plus `addend` (for example `char *p = &buf[3];`). */
export interface DataRelocation {
  readonly offset: number
  readonly symbol: string
  readonly addend: number
  readonly size: 8 | 4
}

export interface IrGlobal {
  /** Assembly-level name. String literals and other compiler-made objects should use gcc's
   *  `.LC<n>` names with `linkage: 'static'`. */
  readonly name: string
  readonly linkage: Linkage
  readonly section: DataSection
  readonly size: number
  readonly align: number
  /** Initial bytes (length === size) for 'data' and 'rodata'; absent for 'bss'. */
  readonly init?: Uint8Array
  readonly relocations?: readonly DataRelocation[]
  readonly loc?: SourceLocation
  readonly debugType?: DebugType
  /** The alignment the declaration asked for (`_Alignas`), which debug info records. */
  readonly declaredAlign?: number
}

// ---------------------------------------------------------------------------------------------
// Functions and their frames
// ---------------------------------------------------------------------------------------------

/** How gcc's stack protector classifies an object's type (gcc's stack_protect_classify_type,
 *  with ssp-buffer-size = 8). The back end uses it to decide whether the function gets a canary
 *  and where the object is placed (character arrays right below the canary). */
export interface ProtectorClass {
  /** Contains a char/signed char/unsigned char array of fewer than 8 elements. */
  readonly smallCharArray: boolean
  /** Contains a char array of 8 or more elements. */
  readonly largeCharArray: boolean
  /** Contains an array of any element type (a char array counts too). */
  readonly array: boolean
  /** The object is a struct or union (or an array of them). */
  readonly aggregate: boolean
}

export const NOT_PROTECTED: ProtectorClass = {
  smallCharArray: false,
  largeCharArray: false,
  array: false,
  aggregate: false,
}

export type FrameObjectKind = 'local' | 'param' | 'temp'

/** One stack-resident object: a local variable, a parameter or a compiler temporary. */
export interface FrameObject {
  /** Unique within the function; referenced by `frameAddr` expressions. */
  readonly id: number
  /** Source name ('' for temporaries). */
  readonly name: string
  readonly kind: FrameObjectKind
  readonly size: number
  readonly align: number
  /** Scalar = can be held in one register (integers, pointers, enums). Arrays, structs and unions
   *  are not scalars. gcc places scalars whose address is never taken before everything else. */
  readonly scalar: boolean
  /** The program takes the object's address (`&x`, or passes it by reference). Arrays and
   *  aggregates may leave this false: they are always memory objects. */
  readonly addressTaken: boolean
  readonly protector: ProtectorClass
  /** The object is a `va_list` (gcc does not raise its alignment to 16 like other aggregates). */
  readonly vaList?: boolean
  /** Block nesting depth of the declaration: 0 = the function's outermost block. */
  readonly scopeDepth: number
  /** Identifies the declaring block, so objects of disjoint blocks may share a slot as in gcc.
   *  Blocks are numbered in source order; `parentScope` links them into a tree. */
  readonly scope: number
  readonly parentScope?: number
  readonly loc?: SourceLocation
  readonly debugType?: DebugType
  /** The alignment the declaration asked for (`_Alignas`), which debug info records. */
  readonly declaredAlign?: number
}

/** Parameter passing. Integer/pointer parameters use the System V INTEGER class; aggregates of
 *  at most 16 bytes travel in one or two registers, larger ones in memory on the stack. */
export type ParamType = { readonly kind: 'int'; readonly type: IntType } | { readonly kind: 'aggregate'; readonly size: number }

export interface IrParam {
  /** The frame object (kind 'param') that holds the parameter during the function. */
  readonly object: number
  readonly type: ParamType
}

export type ReturnType =
  | { readonly kind: 'void' }
  | { readonly kind: 'int'; readonly type: IntType }
  /** Aggregates of at most 16 bytes are returned in rax:rdx; larger ones through a hidden pointer
   *  passed in rdi (the back end handles both). */
  | { readonly kind: 'aggregate'; readonly size: number }

export interface IrFunction {
  readonly name: string
  readonly linkage: Linkage
  readonly params: readonly IrParam[]
  readonly returns: ReturnType
  /** The source-level return type for debug info (`returns` keeps only the machine type: a
   *  `char *` and a `long` are both 64-bit integers there). */
  readonly returnDebugType?: DebugType
  /** Defined with `...`: the back end builds the register save area and supports va_start. */
  readonly variadic: boolean
  /** Every local, parameter and temporary, locals in declaration order. Objects the body never
   *  mentions get no stack slot (as in gcc). */
  readonly frame: readonly FrameObject[]
  readonly body: readonly Stmt[]
  /** The declarator (debug info's DW_AT_decl_line). */
  readonly loc?: SourceLocation
  /** The opening brace of the body: gcc attributes the prologue to it (and, with a canary, gives
   *  the canary load a second row there, where gdb's `break f` stops). Defaults to `loc`. */
  readonly bodyLoc?: SourceLocation
  /** Line of the closing brace (gcc attributes the epilogue to it). */
  readonly endLoc?: SourceLocation
}

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

export type Label = string

export type Stmt =
  /** Evaluate for side effects (calls, assignments as expressions). */
  | { readonly kind: 'eval'; readonly expr: Expr; readonly loc?: SourceLocation }
  /** Store the low bytes of `value` (width of `type`) at `addr`. */
  | { readonly kind: 'store'; readonly type: IntType; readonly addr: Expr; readonly value: Expr; readonly loc?: SourceLocation }
  /** Block copy of `size` bytes (struct assignment, initialisation from a literal). */
  | { readonly kind: 'copy'; readonly dst: Expr; readonly src: Expr; readonly size: number; readonly loc?: SourceLocation }
  /** Fill `size` bytes at `dst` with zero (`= {0}` and the zeroed tail of partial initialisers). */
  | { readonly kind: 'zero'; readonly dst: Expr; readonly size: number; readonly loc?: SourceLocation }
  | { readonly kind: 'label'; readonly label: Label }
  | { readonly kind: 'jump'; readonly target: Label; readonly loc?: SourceLocation }
  /** Jump to `target` when `cond` is non-zero (`when: true`) or zero (`when: false`); otherwise
   *  fall through. Comparisons and &&/|| in `cond` become compare-and-branch code directly. */
  | { readonly kind: 'branch'; readonly cond: Expr; readonly when: boolean; readonly target: Label; readonly loc?: SourceLocation }
  /** Multi-way branch on an integer; the back end picks a compare chain or a jump table as gcc. */
  | {
      readonly kind: 'switch'
      readonly value: Expr
      readonly cases: readonly { readonly value: bigint; readonly target: Label }[]
      readonly defaultTarget: Label
      readonly loc?: SourceLocation
    }
  /** Return. For aggregate returns, `value` is the address of the object to return. */
  | { readonly kind: 'return'; readonly value?: Expr; readonly loc?: SourceLocation }
  /** `va_start(list)`: initialise the 24-byte va_list at address `list` (variadic functions only). */
  | { readonly kind: 'vaStart'; readonly list: Expr; readonly loc?: SourceLocation }
  /** The code of block `scope` (a `FrameObject.scope`) starts / ends here: debug info gives the
   *  block's variables this code range (DW_TAG_lexical_block). No code of their own; pairs nest. */
  | { readonly kind: 'scopeBegin'; readonly scope: number }
  | { readonly kind: 'scopeEnd'; readonly scope: number }

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'rem' | 'and' | 'or' | 'xor' | 'shl' | 'shr'
export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'
export type UnaryOp = 'neg' | 'not' | 'lnot'

export type Callee = { readonly kind: 'direct'; readonly name: string } | { readonly kind: 'indirect'; readonly address: Expr }

export type CallArg =
  | { readonly kind: 'int'; readonly value: Expr }
  /** Pass `size` bytes found at `addr` by value (a struct argument). */
  | { readonly kind: 'aggregate'; readonly addr: Expr; readonly size: number }

export type Expr =
  | { readonly kind: 'const'; readonly type: IntType; readonly value: bigint }
  /** Address of a frame object plus a byte offset. */
  | { readonly kind: 'frameAddr'; readonly object: number; readonly offset: number }
  /** Address of a global or function symbol plus a byte offset (RIP-relative or absolute per -pie). */
  | { readonly kind: 'symbolAddr'; readonly symbol: string; readonly offset: number }
  /** Load `type`'s width from `addr`. */
  | { readonly kind: 'load'; readonly type: IntType; readonly addr: Expr }
  /** Integer conversion: truncation, or sign/zero extension according to `value.type`'s signedness. */
  | { readonly kind: 'convert'; readonly type: IntType; readonly value: Expr }
  /** Arithmetic in `type` (operands must already have `type`; shifts accept any right type).
   *  div/rem/shr follow the signedness of `type`. */
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly type: IntType; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly type: IntType; readonly value: Expr }
  /** Compare two values of the same type (signedness from that type); yields i32 0 or 1. */
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Expr; readonly right: Expr }
  /** Short-circuit && / ||; yields i32 0 or 1. */
  | { readonly kind: 'logical'; readonly op: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  /** `cond ? then : otherwise`, only one arm evaluated. Arms have `type`. */
  | { readonly kind: 'select'; readonly type: IntType; readonly cond: Expr; readonly then: Expr; readonly otherwise: Expr }
  /** Store `value` at `addr` and yield the stored value (`a = b = c`). */
  | { readonly kind: 'assign'; readonly type: IntType; readonly addr: Expr; readonly value: Expr }
  /** Compound assignment and ++/--: `addr` is evaluated once; the old value (of `type`) is
   *  converted to `opType`, combined with `operand` (already `opType`), converted back to `type`
   *  and stored. Yields the new value, or the old one when `postfix` (x++). */
  | {
      readonly kind: 'update'
      readonly op: BinaryOp
      readonly type: IntType
      readonly opType: IntType
      readonly addr: Expr
      readonly operand: Expr
      readonly postfix: boolean
    }
  /** Evaluate `first` for side effects, then yield `then` (the comma operator). */
  | { readonly kind: 'comma'; readonly first: Expr; readonly then: Expr }
  /**
   * Function call. `type` is the integer result type, 'void', or for aggregate results
   * `{ aggregate: size }` with `resultAddr` naming where the returned object is stored
   * (a frame object usually). `variadic` sets al = 0 as gcc does for variadic and unprototyped
   * callees. The call yields its integer result (or resultAddr for aggregates).
   */
  | {
      readonly kind: 'call'
      readonly callee: Callee
      readonly args: readonly CallArg[]
      readonly type: IntType | 'void' | { readonly aggregate: number }
      readonly resultAddr?: Expr
      readonly variadic: boolean
    }
  /** `va_arg(list, type)` for integer/pointer types: yields the next argument. */
  | { readonly kind: 'vaArg'; readonly type: IntType; readonly list: Expr }

/** Byte width of a machine type. */
export function sizeOfType(type: IntType): 1 | 2 | 4 | 8 {
  switch (type) {
    case 'i8':
    case 'u8':
      return 1
    case 'i16':
    case 'u16':
      return 2
    case 'i32':
    case 'u32':
      return 4
    case 'i64':
    case 'u64':
    case 'ptr':
      return 8
  }
}

export function isSigned(type: IntType): boolean {
  return type === 'i8' || type === 'i16' || type === 'i32' || type === 'i64'
}

/** The type an expression yields (for 'void' calls, 'void'). */
export function typeOfExpr(expr: Expr): IntType | 'void' {
  switch (expr.kind) {
    case 'const':
    case 'load':
    case 'convert':
    case 'binary':
    case 'unary':
    case 'select':
    case 'assign':
    case 'update':
    case 'vaArg':
      return expr.type
    case 'frameAddr':
    case 'symbolAddr':
      return 'ptr'
    case 'compare':
    case 'logical':
      return 'i32'
    case 'comma':
      return typeOfExpr(expr.then)
    case 'call':
      return typeof expr.type === 'string' ? expr.type : 'ptr'
  }
}
