/**
 * A reference interpreter for the shared IR, used only by the C front end's tests: it runs a
 * lowered program directly (no back end), so the front end's semantics can be compared with
 * gcc-built executables before and independently of code generation. A few libc functions are
 * provided natively (printf family subset, puts, putchar, malloc, strlen, ...).
 */
import type { Expr, IntType, IrFunction, IrModule, Stmt } from '../../../../shared/toolchain/ir/types'
import { isSigned, sizeOfType } from '../../../../shared/toolchain/ir/types'

const MEMORY_SIZE = 1 << 24
const GLOBAL_BASE = 0x10000
const STACK_TOP = MEMORY_SIZE - 0x1000
const HEAP_BASE = 0x800000
const FUNCTION_BASE = 0x7f000000n

export class ExitProgram extends Error {
  constructor(readonly status: number) {
    super(`exit(${status})`)
  }
}

export interface RunResult {
  readonly stdout: string
  readonly status: number
}

function norm(v: bigint, t: IntType): bigint {
  const bits = sizeOfType(t) * 8
  return isSigned(t) ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v)
}

interface Frame {
  readonly fn: IrFunction
  readonly objects: Map<number, number>
  readonly varargs: bigint[]
}

export class IrInterpreter {
  private readonly mem = new Uint8Array(MEMORY_SIZE)
  private readonly view = new DataView(this.mem.buffer)
  private readonly symbols = new Map<string, bigint>()
  private readonly functions = new Map<string, IrFunction>()
  private readonly functionByAddress = new Map<bigint, string>()
  private sp = STACK_TOP
  private heap = HEAP_BASE
  private out = ''
  private steps = 0

  constructor(private readonly module: IrModule, private readonly maxSteps = 5_000_000) {
    let addr = GLOBAL_BASE
    for (const g of module.globals) {
      addr = Math.ceil(addr / g.align) * g.align
      this.symbols.set(g.name, BigInt(addr))
      if (g.init) this.mem.set(g.init, addr)
      addr += Math.max(1, g.size)
    }
    for (const g of module.globals) {
      const base = Number(this.symbols.get(g.name))
      for (const r of g.relocations ?? []) this.view.setBigUint64(base + r.offset, this.symbolAddress(r.symbol) + BigInt(r.addend), true)
    }
    module.functions.forEach((f, i) => {
      this.functions.set(f.name, f)
      const a = FUNCTION_BASE + BigInt(i * 16)
      this.symbols.set(f.name, a)
      this.functionByAddress.set(a, f.name)
    })
  }

  private symbolAddress(name: string): bigint {
    const a = this.symbols.get(name)
    if (a !== undefined) return a
    // An external function: give it an address so it can be passed around and called.
    const fake = FUNCTION_BASE + 0x100000n + BigInt(this.functionByAddress.size * 16)
    this.symbols.set(name, fake)
    this.functionByAddress.set(fake, name)
    return fake
  }

  run(args: readonly string[] = ['prog']): RunResult {
    const argv = args.map((a) => this.allocString(a))
    const argvAddr = this.malloc(BigInt(8 * (argv.length + 1)))
    argv.forEach((p, i) => this.view.setBigUint64(Number(argvAddr) + 8 * i, p, true))
    try {
      const status = this.call('main', [BigInt(args.length), argvAddr])
      return { stdout: this.out, status: Number(BigInt.asUintN(8, status)) }
    } catch (e) {
      if (e instanceof ExitProgram) return { stdout: this.out, status: e.status & 0xff }
      throw e
    }
  }

  private allocString(s: string): bigint {
    const bytes = new TextEncoder().encode(s + '\0')
    const p = this.malloc(BigInt(bytes.length))
    this.mem.set(bytes, Number(p))
    return p
  }

  private malloc(n: bigint): bigint {
    this.heap = Math.ceil(this.heap / 16) * 16
    const p = this.heap
    this.heap += Math.max(16, Number(n))
    if (this.heap >= STACK_TOP - 0x400000) throw new Error('interpreter heap exhausted')
    return BigInt(p)
  }

  private read(addr: bigint, t: IntType): bigint {
    const a = Number(addr)
    if (a <= 0 || a + sizeOfType(t) > MEMORY_SIZE) throw new Error(`bad read at ${addr.toString(16)}`)
    let v: bigint
    switch (sizeOfType(t)) {
      case 1: v = BigInt(this.view.getUint8(a)); break
      case 2: v = BigInt(this.view.getUint16(a, true)); break
      case 4: v = BigInt(this.view.getUint32(a, true)); break
      default: v = this.view.getBigUint64(a, true)
    }
    return norm(v, t)
  }

  private write(addr: bigint, t: IntType, value: bigint): void {
    const a = Number(addr)
    if (a <= 0 || a + sizeOfType(t) > MEMORY_SIZE) throw new Error(`bad write at ${addr.toString(16)}`)
    const u = BigInt.asUintN(64, value)
    switch (sizeOfType(t)) {
      case 1: this.view.setUint8(a, Number(u & 0xffn)); break
      case 2: this.view.setUint16(a, Number(u & 0xffffn), true); break
      case 4: this.view.setUint32(a, Number(u & 0xffffffffn), true); break
      default: this.view.setBigUint64(a, u, true)
    }
  }

  private cString(addr: bigint): string {
    let a = Number(addr)
    const start = a
    while (this.mem[a] !== 0) a++
    return new TextDecoder().decode(this.mem.subarray(start, a))
  }

  private call(name: string, args: readonly bigint[], aggregateArgs: readonly (Uint8Array | undefined)[] = []): bigint {
    const fn = this.functions.get(name)
    if (!fn) return this.libc(name, args)
    const savedSp = this.sp
    const objects = new Map<number, number>()
    for (const o of fn.frame) {
      this.sp -= Math.max(1, o.size)
      this.sp = Math.floor(this.sp / Math.max(o.align, 1)) * Math.max(o.align, 1)
      objects.set(o.id, this.sp)
    }
    if (this.sp < HEAP_BASE + 0x400000) throw new Error('interpreter stack overflow')
    const frame: Frame = { fn, objects, varargs: args.slice(fn.params.length) as bigint[] }
    fn.params.forEach((p, i) => {
      const addr = BigInt(objects.get(p.object) as number)
      const agg = aggregateArgs[i]
      if (p.type.kind === 'aggregate') this.mem.set(agg ?? new Uint8Array(p.type.size), Number(addr))
      else this.write(addr, p.type.type, args[i] ?? 0n)
    })
    try {
      return this.execute(frame)
    } finally {
      this.sp = savedSp
    }
  }

  private execute(frame: Frame): bigint {
    const body = frame.fn.body
    const labels = new Map<string, number>()
    body.forEach((s, i) => {
      if (s.kind === 'label') labels.set(s.label, i)
    })
    const jump = (l: string): number => {
      const i = labels.get(l)
      if (i === undefined) throw new Error(`unknown label ${l}`)
      return i
    }
    let pc = 0
    while (pc < body.length) {
      if (++this.steps > this.maxSteps) throw new Error('step limit reached')
      const s = body[pc] as Stmt
      pc++
      switch (s.kind) {
        case 'eval':
          this.eval(s.expr, frame)
          break
        case 'store':
          this.write(this.eval(s.addr, frame), s.type, this.eval(s.value, frame))
          break
        case 'copy': {
          const dst = Number(this.eval(s.dst, frame))
          const src = Number(this.eval(s.src, frame))
          this.mem.copyWithin(dst, src, src + s.size)
          break
        }
        case 'zero': {
          const dst = Number(this.eval(s.dst, frame))
          this.mem.fill(0, dst, dst + s.size)
          break
        }
        case 'label':
          break
        case 'jump':
          pc = jump(s.target)
          break
        case 'branch':
          if ((this.eval(s.cond, frame) !== 0n) === s.when) pc = jump(s.target)
          break
        case 'switch': {
          const v = this.eval(s.value, frame)
          const hit = s.cases.find((c) => norm(c.value, 'i64') === norm(v, 'i64') || c.value === v)
          pc = jump(hit ? hit.target : s.defaultTarget)
          break
        }
        case 'return':
          return s.value ? this.eval(s.value, frame) : 0n
        case 'vaStart': {
          const list = this.eval(s.list, frame)
          this.write(list, 'u32', 0n) // index of the next variable argument
          this.write(list + 8n, 'u64', BigInt(this.frames.push(frame) - 1))
          break
        }
      }
    }
    return 0n
  }

  private readonly frames: Frame[] = []

  private typeOf(e: Expr): IntType {
    switch (e.kind) {
      case 'const':
      case 'load':
      case 'convert':
      case 'binary':
      case 'unary':
      case 'select':
      case 'assign':
      case 'update':
      case 'vaArg':
        return e.type
      case 'compare':
      case 'logical':
        return 'i32'
      case 'comma':
        return this.typeOf(e.then)
      case 'call':
        return typeof e.type === 'string' ? (e.type === 'void' ? 'i64' : e.type) : 'ptr'
      default:
        return 'ptr'
    }
  }

  private eval(e: Expr, frame: Frame): bigint {
    switch (e.kind) {
      case 'const':
        return norm(e.value, e.type)
      case 'frameAddr': {
        const base = frame.objects.get(e.object)
        if (base === undefined) throw new Error(`unknown frame object ${e.object}`)
        return BigInt(base + e.offset)
      }
      case 'symbolAddr':
        return this.symbolAddress(e.symbol) + BigInt(e.offset)
      case 'load':
        return this.read(this.eval(e.addr, frame), e.type)
      case 'convert':
        return norm(this.eval(e.value, frame), e.type)
      case 'binary':
        return this.arith(e.op, e.type, this.eval(e.left, frame), this.eval(e.right, frame))
      case 'unary': {
        const v = this.eval(e.value, frame)
        if (e.op === 'lnot') return v === 0n ? 1n : 0n
        return norm(e.op === 'neg' ? -v : ~v, e.type)
      }
      case 'compare': {
        const a = this.eval(e.left, frame)
        const b = this.eval(e.right, frame)
        const r = e.op === 'eq' ? a === b : e.op === 'ne' ? a !== b : e.op === 'lt' ? a < b : e.op === 'le' ? a <= b : e.op === 'gt' ? a > b : a >= b
        return r ? 1n : 0n
      }
      case 'logical': {
        const a = this.eval(e.left, frame) !== 0n
        if (e.op === 'and' && !a) return 0n
        if (e.op === 'or' && a) return 1n
        return this.eval(e.right, frame) !== 0n ? 1n : 0n
      }
      case 'select':
        return norm(this.eval(e.cond, frame) !== 0n ? this.eval(e.then, frame) : this.eval(e.otherwise, frame), e.type)
      case 'assign': {
        const addr = this.eval(e.addr, frame)
        const v = norm(this.eval(e.value, frame), e.type)
        this.write(addr, e.type, v)
        return v
      }
      case 'update': {
        const addr = this.eval(e.addr, frame)
        const old = this.read(addr, e.type)
        const operand = this.eval(e.operand, frame)
        const result = norm(this.arith(e.op, e.opType, norm(old, e.opType), operand), e.type)
        this.write(addr, e.type, result)
        return e.postfix ? old : result
      }
      case 'comma':
        this.eval(e.first, frame)
        return this.eval(e.then, frame)
      case 'call': {
        const name = e.callee.kind === 'direct' ? e.callee.name : this.functionByAddress.get(this.eval(e.callee.address, frame))
        if (name === undefined) throw new Error('call through a bad function pointer')
        const values: bigint[] = new Array<bigint>(e.args.length).fill(0n)
        const aggregates: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(e.args.length)
        // gcc -O0 evaluates arguments from the last to the first; so does this reference.
        for (let i = e.args.length - 1; i >= 0; i--) {
          const a = e.args[i] as (typeof e.args)[number]
          if (a.kind === 'int') values[i] = this.eval(a.value, frame)
          else {
            const at = Number(this.eval(a.addr, frame))
            aggregates[i] = this.mem.slice(at, at + a.size)
          }
        }
        const r = this.call(name, values, aggregates)
        if (typeof e.type === 'object') {
          const dst = this.eval(e.resultAddr as Expr, frame)
          this.mem.copyWithin(Number(dst), Number(r), Number(r) + e.type.aggregate)
          return dst
        }
        return e.type === 'void' ? 0n : norm(r, e.type)
      }
      case 'vaArg': {
        const list = this.eval(e.list, frame)
        const index = this.read(list, 'u32')
        const owner = this.frames[Number(this.read(list + 8n, 'u64'))] as Frame
        this.write(list, 'u32', index + 1n)
        return norm(owner.varargs[Number(index)] ?? 0n, e.type)
      }
    }
  }

  private arith(op: string, t: IntType, a: bigint, b: bigint): bigint {
    switch (op) {
      case 'add': return norm(a + b, t)
      case 'sub': return norm(a - b, t)
      case 'mul': return norm(a * b, t)
      case 'div':
        if (b === 0n) throw new ExitProgram(136)
        return norm(a / b, t)
      case 'rem':
        if (b === 0n) throw new ExitProgram(136)
        return norm(a % b, t)
      case 'and': return norm(a & b, t)
      case 'or': return norm(a | b, t)
      case 'xor': return norm(a ^ b, t)
      case 'shl': return norm(a << (b & BigInt(sizeOfType(t) * 8 - 1)), t)
      case 'shr': return norm(a >> (b & BigInt(sizeOfType(t) * 8 - 1)), t)
    }
    throw new Error(`unknown op ${op}`)
  }

  private libc(name: string, args: readonly bigint[]): bigint {
    const arg = (i: number): bigint => args[i] ?? 0n
    switch (name) {
      case 'printf': {
        const s = this.format(this.cString(arg(0)), args.slice(1))
        this.out += s
        return BigInt(new TextEncoder().encode(s).length)
      }
      case 'sprintf': {
        const s = this.format(this.cString(arg(1)), args.slice(2))
        const bytes = new TextEncoder().encode(s + '\0')
        this.mem.set(bytes, Number(arg(0)))
        return BigInt(bytes.length - 1)
      }
      case 'puts':
        this.out += this.cString(arg(0)) + '\n'
        return 0n
      case 'putchar':
        this.out += String.fromCharCode(Number(arg(0) & 0xffn))
        return arg(0)
      case 'malloc':
      case 'calloc': {
        const n = name === 'calloc' ? arg(0) * arg(1) : arg(0)
        const p = this.malloc(n)
        this.mem.fill(0, Number(p), Number(p) + Number(n))
        return p
      }
      case 'free':
        return 0n
      case 'strlen':
        return BigInt(new TextEncoder().encode(this.cString(arg(0))).length)
      case 'strcpy': {
        const bytes = new TextEncoder().encode(this.cString(arg(1)) + '\0')
        this.mem.set(bytes, Number(arg(0)))
        return arg(0)
      }
      case 'strcmp': {
        const a = this.cString(arg(0))
        const b = this.cString(arg(1))
        return a < b ? -1n : a > b ? 1n : 0n
      }
      case 'memset':
        this.mem.fill(Number(arg(1) & 0xffn), Number(arg(0)), Number(arg(0) + arg(2)))
        return arg(0)
      case 'memcpy':
        this.mem.copyWithin(Number(arg(0)), Number(arg(1)), Number(arg(1) + arg(2)))
        return arg(0)
      case 'exit':
        throw new ExitProgram(Number(arg(0) & 0xffn))
      case 'abort':
        throw new ExitProgram(134)
    }
    throw new Error(`the interpreter has no '${name}'`)
  }

  /** printf subset: flags - 0 + space #, width, precision, h/hh/l/ll/z, d i u x X o c s p %. */
  private format(fmt: string, args: readonly bigint[]): string {
    let ai = 0
    return fmt.replace(/%([-0+ #]*)(\d*)(?:\.(\d+))?(hh|h|ll|l|z)?([diuxXocsp%])/g, (_m, flags: string, width: string, prec: string | undefined, len: string | undefined, conv: string) => {
      if (conv === '%') return '%'
      const raw = args[ai++] ?? 0n
      let body: string
      const bits = len === 'l' || len === 'll' || len === 'z' ? 64 : len === 'h' ? 16 : len === 'hh' ? 8 : 32
      switch (conv) {
        case 'd':
        case 'i': {
          const v = BigInt.asIntN(bits, raw)
          body = (v < 0n ? -v : v).toString()
          if (prec !== undefined) body = body.padStart(Number(prec), '0')
          body = (v < 0n ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + body
          break
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
          const v = BigInt.asUintN(bits, raw)
          body = v.toString(conv === 'u' ? 10 : conv === 'o' ? 8 : 16)
          if (conv === 'X') body = body.toUpperCase()
          if (prec !== undefined) body = body.padStart(Number(prec), '0')
          if (flags.includes('#') && v !== 0n && conv !== 'u') body = (conv === 'o' ? '0' : conv === 'x' ? '0x' : '0X') + body
          break
        }
        case 'c':
          body = String.fromCharCode(Number(raw & 0xffn))
          break
        case 's':
          body = raw === 0n ? '(null)' : this.cString(raw)
          if (prec !== undefined) body = body.slice(0, Number(prec))
          break
        default:
          body = raw === 0n ? '(nil)' : '0x' + BigInt.asUintN(64, raw).toString(16)
      }
      const w = Number(width || 0)
      if (body.length >= w) return body
      if (flags.includes('-')) return body.padEnd(w)
      if (flags.includes('0') && prec === undefined && /[diuxXo]/.test(conv)) {
        const sign = /^[-+ ]/.test(body) ? body.slice(0, 1) : ''
        return sign + body.slice(sign.length).padStart(w - sign.length, '0')
      }
      return body.padStart(w)
    })
  }
}
