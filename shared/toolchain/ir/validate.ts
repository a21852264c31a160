import type { Expr, IrFunction, IrModule, Stmt } from './types'
import { typeOfExpr } from './types'

/**
 * Structural checks of an IR module: the mistakes a front end can make that the back end would
 * otherwise turn into wrong code. Returns human-readable messages (empty = valid).
 */
export function validateModule(module: IrModule): string[] {
  const problems: string[] = []
  const names = new Set<string>()
  for (const global of module.globals) {
    if (names.has(global.name)) problems.push(`global '${global.name}' is defined twice`)
    names.add(global.name)
    if (global.section !== 'bss' && global.init === undefined) problems.push(`global '${global.name}' in .${global.section} has no initial bytes`)
    if (global.init !== undefined && global.init.length !== global.size) {
      problems.push(`global '${global.name}' has ${global.init.length} initial bytes for size ${global.size}`)
    }
    if (!isPowerOfTwo(global.align)) problems.push(`global '${global.name}' has alignment ${global.align}, not a power of two`)
    for (const relocation of global.relocations ?? []) {
      if (relocation.offset < 0 || relocation.offset + relocation.size > global.size) {
        problems.push(`global '${global.name}' has a relocation at offset ${relocation.offset} outside its ${global.size} bytes`)
      }
    }
  }
  for (const fn of module.functions) {
    if (names.has(fn.name)) problems.push(`function '${fn.name}' clashes with another definition`)
    names.add(fn.name)
    problems.push(...validateFunction(fn).map((message) => `in function '${fn.name}': ${message}`))
  }
  return problems
}

function validateFunction(fn: IrFunction): string[] {
  const problems: string[] = []
  const objects = new Map<number, (typeof fn.frame)[number]>()
  for (const object of fn.frame) {
    if (objects.has(object.id)) problems.push(`frame object id ${object.id} is used twice`)
    objects.set(object.id, object)
    if (object.size < 0 || !isPowerOfTwo(object.align)) problems.push(`frame object '${object.name}' has size ${object.size} / alignment ${object.align}`)
  }
  for (const param of fn.params) {
    const object = objects.get(param.object)
    if (object === undefined) problems.push(`parameter refers to unknown frame object ${param.object}`)
    else if (object.kind !== 'param') problems.push(`parameter frame object '${object.name}' has kind '${object.kind}'`)
  }
  const labels = new Set<string>()
  for (const stmt of fn.body) {
    if (stmt.kind === 'label') {
      if (labels.has(stmt.label)) problems.push(`label '${stmt.label}' is defined twice`)
      labels.add(stmt.label)
    }
  }
  const checkLabel = (label: string): void => {
    if (!labels.has(label)) problems.push(`jump to undefined label '${label}'`)
  }
  const checkExpr = (expr: Expr): void => {
    switch (expr.kind) {
      case 'const':
      case 'symbolAddr':
        return
      case 'frameAddr':
        if (!objects.has(expr.object)) problems.push(`frameAddr of unknown frame object ${expr.object}`)
        return
      case 'load':
        return checkExpr(expr.addr)
      case 'convert':
      case 'unary':
        return checkExpr(expr.value)
      case 'binary': {
        checkExpr(expr.left)
        checkExpr(expr.right)
        if (typeOfExpr(expr.left) !== expr.type) problems.push(`'${expr.op}' of type ${expr.type} has a left operand of type ${String(typeOfExpr(expr.left))}`)
        const rightType = typeOfExpr(expr.right)
        if (expr.op !== 'shl' && expr.op !== 'shr' && rightType !== expr.type) {
          problems.push(`'${expr.op}' of type ${expr.type} has a right operand of type ${String(rightType)}`)
        }
        return
      }
      case 'compare': {
        checkExpr(expr.left)
        checkExpr(expr.right)
        const left = typeOfExpr(expr.left)
        const right = typeOfExpr(expr.right)
        if (left !== right) problems.push(`'${expr.op}' compares ${String(left)} with ${String(right)}`)
        return
      }
      case 'logical':
        checkExpr(expr.left)
        return checkExpr(expr.right)
      case 'select':
        checkExpr(expr.cond)
        checkExpr(expr.then)
        return checkExpr(expr.otherwise)
      case 'assign':
        checkExpr(expr.addr)
        return checkExpr(expr.value)
      case 'update':
        checkExpr(expr.addr)
        return checkExpr(expr.operand)
      case 'comma':
        checkExpr(expr.first)
        return checkExpr(expr.then)
      case 'call':
        if (expr.callee.kind === 'indirect') checkExpr(expr.callee.address)
        for (const arg of expr.args) checkExpr(arg.kind === 'int' ? arg.value : arg.addr)
        if (typeof expr.type === 'object' && expr.resultAddr === undefined) problems.push('a call returning an aggregate has no resultAddr')
        if (expr.resultAddr !== undefined) checkExpr(expr.resultAddr)
        return
      case 'vaArg':
        return checkExpr(expr.list)
    }
  }
  const checkStmt = (stmt: Stmt): void => {
    switch (stmt.kind) {
      case 'eval':
        return checkExpr(stmt.expr)
      case 'store':
        checkExpr(stmt.addr)
        return checkExpr(stmt.value)
      case 'copy':
        checkExpr(stmt.dst)
        return checkExpr(stmt.src)
      case 'zero':
        return checkExpr(stmt.dst)
      case 'label':
        return
      case 'jump':
        return checkLabel(stmt.target)
      case 'branch':
        checkExpr(stmt.cond)
        return checkLabel(stmt.target)
      case 'switch':
        checkExpr(stmt.value)
        stmt.cases.forEach((entry) => checkLabel(entry.target))
        return checkLabel(stmt.defaultTarget)
      case 'return':
        if (stmt.value !== undefined) checkExpr(stmt.value)
        if ((stmt.value === undefined) !== (fn.returns.kind === 'void')) problems.push('return value does not match the return type')
        return
      case 'vaStart':
        if (!fn.variadic) problems.push('va_start in a function that is not variadic')
        return checkExpr(stmt.list)
      case 'scopeBegin':
        if (stmt.scope === 0) problems.push('scope 0 is the function body: it has no scopeBegin')
        if (begun.has(stmt.scope)) problems.push(`scope ${stmt.scope} begins twice`)
        begun.add(stmt.scope)
        openScopes.push(stmt.scope)
        return
      case 'scopeEnd':
        if (openScopes.at(-1) !== stmt.scope) problems.push(`scopeEnd ${stmt.scope} does not close the innermost open scope`)
        else openScopes.pop()
        return
    }
  }
  const begun = new Set<number>()
  const openScopes: number[] = []
  fn.body.forEach(checkStmt)
  if (openScopes.length > 0) problems.push(`scope ${openScopes.join(', ')} never ends`)
  return problems
}

function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value > 0 && (value & (value - 1)) === 0
}
