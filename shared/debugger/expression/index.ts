// gdb's C expressions and value printing, as a library the debugger's commands call.
// See README.md for the API and what was checked against gdb.

export { ExpressionError, ExpressionSession, ValueHistory, type EvalEnvironment, type ExamineState, type ExpressionContext } from './environment'
export { evaluateExpression, outputCommand, printCommand, ptypeCommand, setVariableCommand, splitPrintFormat, whatisCommand } from './commands'
export { examine, parseExamineFormat, type ExamineFormat, type ExamineResult } from './examine'
export { evaluate, type EvaluationMode } from './evaluate'
export { parseExpression, parseTypeOrExpression, type Expr, type TypeOrExpr } from './parser'
export { formatValue, PRINT_ELEMENTS, REPEAT_THRESHOLD } from './format-value'
export { typeDefinition, typeName } from './format-type'
export { registerType, EFLAGS_TYPE } from './registers'
export { BUILTIN, type ExprType, type FlagsType } from './types'
export { Value, type Place } from './values'
