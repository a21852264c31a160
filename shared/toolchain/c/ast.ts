/**
 * The checked syntax tree: what the parser builds through sema's rules. Every expression has
 * its C type, and every implicit conversion (promotion, usual arithmetic conversion, array decay,
 * assignment conversion) is an explicit `cast` node, so lowering never re-derives C's rules.
 */
import type { SourceLocation } from './diagnostics'
import type { BitField, CType } from './types'

export type StorageClass = 'auto' | 'static' | 'extern' | 'register' | 'typedef'

/** A declared object or function (ordinary identifier namespace). */
export interface VarSymbol {
  readonly kind: 'var'
  readonly name: string
  type: CType
  /** Symbol name in the object file: `name` for globals, `name.N` for static locals (as gcc). */
  readonly asmName: string
  readonly loc: SourceLocation
  /** 'local' lives in the frame; 'global' has static storage (file scope or `static` local). */
  readonly storage: 'local' | 'param' | 'global'
  /** External linkage (not `static` at file scope). */
  readonly external: boolean
  /** A definition (not only a declaration) was seen. */
  defined: boolean
  /** Tentative definition (`int x;` at file scope) that becomes a zero-filled definition. */
  tentative: boolean
  /** Alignment set by `_Alignas` or `__attribute__((aligned))` (undefined: the type's). */
  align?: number
  /** For locals and parameters: the frame object id. */
  frameId: number
  addressTaken: boolean
  /** Declaring block, for the frame layout (0 = function body). */
  scope: number
  parentScope: number | undefined
  scopeDepth: number
  used: boolean
  /** Functions: some declaration is neither `inline` nor lacks `extern`, so an inline definition
   *  is also the external definition (C17 6.7.4p7). */
  externalDefinition: boolean
  /** Functions: the definition was declared `inline`. */
  inlineDefinition: boolean
  /** For global objects with an initializer. */
  init?: Initializer
}

export interface TypedefSymbol {
  readonly kind: 'typedef'
  readonly name: string
  readonly type: CType
  readonly loc: SourceLocation
}

export interface EnumConstSymbol {
  readonly kind: 'enumConst'
  readonly name: string
  readonly value: bigint
  readonly type: CType
  readonly loc: SourceLocation
}

export type OrdinarySymbol = VarSymbol | TypedefSymbol | EnumConstSymbol

export type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'rem' | 'and' | 'or' | 'xor' | 'shl' | 'shr'
export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'

interface Base {
  readonly type: CType
  readonly loc: SourceLocation
}

export type Expr = Base &
  (
    | { readonly k: 'num'; readonly value: bigint }
    /** A string literal object (type char[N]); `id` indexes the translation unit's literals. */
    | { readonly k: 'str'; readonly id: number }
    | { readonly k: 'var'; readonly sym: VarSymbol }
    | { readonly k: 'unary'; readonly op: 'neg' | 'not' | 'lnot'; readonly operand: Expr }
    /** Arithmetic; both operands already have `type` (shifts: the right one is promoted separately). */
    | { readonly k: 'binary'; readonly op: ArithOp; readonly left: Expr; readonly right: Expr }
    /** Comparison; operands converted to a common type; result int. */
    | { readonly k: 'compare'; readonly op: CompareOp; readonly left: Expr; readonly right: Expr }
    /** pointer ± integer; `index` is long, `scale` the pointee size. */
    | { readonly k: 'ptradd'; readonly ptr: Expr; readonly index: Expr; readonly scale: number; readonly subtract: boolean }
    /** pointer - pointer, divided by `scale`; result long. */
    | { readonly k: 'ptrdiff'; readonly left: Expr; readonly right: Expr; readonly scale: number }
    | { readonly k: 'logical'; readonly op: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
    /** Simple assignment; `value` is converted to the target's type (or is a same-typed struct). */
    | { readonly k: 'assign'; readonly target: Expr; readonly value: Expr }
    /**
     * Compound assignment and ++/--: target op= operand computed in `opType`. For pointers
     * `opType` is the pointer type and `operand` is the already scaled byte offset (long).
     */
    | {
        readonly k: 'update'
        readonly op: ArithOp
        readonly target: Expr
        readonly operand: Expr
        readonly opType: CType
        readonly postfix: boolean
      }
    | { readonly k: 'cond'; readonly cond: Expr; readonly then: Expr; readonly otherwise: Expr }
    | { readonly k: 'comma'; readonly first: Expr; readonly then: Expr }
    /** `callee` has pointer-to-function type; `args` are converted per the prototype. */
    | { readonly k: 'call'; readonly callee: Expr; readonly args: readonly Expr[]; readonly fnType: CType & { kind: 'function' } }
    /** Conversion to `type` (explicit casts and every implicit conversion). */
    | { readonly k: 'cast'; readonly operand: Expr; readonly implicit: boolean }
    | { readonly k: 'deref'; readonly pointer: Expr }
    /** Address of an lvalue; also array-to-pointer decay and function designator conversion. */
    | { readonly k: 'addr'; readonly operand: Expr }
    /** Member of a struct/union lvalue (`p->m` is a member of `*p`). */
    /** For a bit-field, `offset` locates its storage unit and `bitField` the bits inside it. */
    | { readonly k: 'member'; readonly base: Expr; readonly offset: number; readonly name: string; readonly bitField?: BitField }
    | { readonly k: 'vaArg'; readonly list: Expr }
    | { readonly k: 'vaStart'; readonly list: Expr }
    | { readonly k: 'vaCopy'; readonly dst: Expr; readonly src: Expr }
    /** A compound literal `(T){...}`: an unnamed local object with an initializer. */
    | { readonly k: 'compound'; readonly sym: VarSymbol; readonly init: Initializer }
  )

/**
 * A flattened initializer: the object is zero-filled first (when `zeroFill`), then each item
 * stores a scalar at its byte offset or copies string bytes.
 */
export interface Initializer {
  readonly items: InitItem[]
  /** Some bytes are not covered by items (they must be zero). */
  zeroFill: boolean
}

export type InitItem =
  | { readonly kind: 'expr'; readonly offset: number; readonly type: CType; readonly expr: Expr; readonly bitField?: BitField }
  /** Bytes of a string literal placed in a char array (`char s[8] = "hi"`). */
  | { readonly kind: 'bytes'; readonly offset: number; readonly bytes: Uint8Array }

export type Stmt = { readonly loc: SourceLocation } & (
  | { readonly k: 'expr'; readonly expr: Expr }
  | { readonly k: 'decl'; readonly sym: VarSymbol; readonly init: Initializer | undefined }
  /** `scope`: the block number of a `{ }` that opens a scope (the function body's is 0); absent for
   *  a group of declarations that opens none. */
  | { readonly k: 'block'; readonly items: readonly Stmt[]; readonly scope?: number }
  /** `parenLoc`: the '(' after the keyword, where gcc's line table puts the statement. */
  | { readonly k: 'if'; readonly cond: Expr; readonly then: Stmt; readonly otherwise: Stmt | undefined; readonly parenLoc: SourceLocation }
  | { readonly k: 'while'; readonly cond: Expr; readonly body: Stmt; readonly parenLoc: SourceLocation }
  | { readonly k: 'do'; readonly body: Stmt; readonly cond: Expr }
  /** `scope`: the block number of the scope the clauses open (C17 6.8.5p5). */
  | { readonly k: 'for'; readonly init: Stmt | undefined; readonly cond: Expr | undefined; readonly step: Expr | undefined; readonly body: Stmt; readonly scope: number }
  | { readonly k: 'switch'; readonly value: Expr; readonly body: Stmt; readonly cases: readonly SwitchCase[]; readonly hasDefault: boolean; readonly id: number }
  /** `case`/`default` label inside a switch; `caseIndex` -1 for default. */
  | { readonly k: 'case'; readonly switchId: number; readonly caseIndex: number; readonly body: Stmt }
  | { readonly k: 'break' }
  | { readonly k: 'continue' }
  | { readonly k: 'goto'; readonly label: string }
  | { readonly k: 'label'; readonly label: string; readonly body: Stmt }
  | { readonly k: 'return'; readonly value: Expr | undefined }
  | { readonly k: 'empty' }
)

export interface SwitchCase {
  readonly value: bigint
}

export interface FunctionDef {
  readonly sym: VarSymbol
  readonly type: CType & { kind: 'function' }
  readonly params: readonly VarSymbol[]
  readonly body: Stmt
  /** Locals and parameters in declaration order (params are in `params` too). */
  readonly locals: readonly VarSymbol[]
  readonly loc: SourceLocation
  readonly endLoc: SourceLocation
}

export interface StringLiteral {
  readonly bytes: Uint8Array
  readonly type: CType
}

/** What a unit holds besides its function definitions (which the parser hands on one by one). */
export interface TranslationUnit {
  /** Objects with static storage duration (file scope and static locals), in first-seen order. */
  readonly globals: readonly VarSymbol[]
  readonly strings: readonly StringLiteral[]
  /** Functions and objects referenced but not defined here. */
  readonly externs: readonly VarSymbol[]
}
