// Assembly highlighting for the toolchain's NASM-flavoured Intel syntax. @codemirror/legacy-modes
// has one x86 mode, `gas` (GNU as): it knows labels, strings, `.directives` and block comments,
// which the toolchain also accepts (it reads gcc -S output). What NASM adds, it lacks: `;`
// comments, the NASM keywords (section, global, db, resb, times, equ, qword ptr), numbers such as
// 7fh, and the registers gas's table leaves out (r8–r15, xmm). This mode reads those first and
// hands everything else to gas.

import { StreamLanguage, type StreamParser, type StringStream } from '@codemirror/language'
import { gas } from '@codemirror/legacy-modes/mode/gas'

const NASM_KEYWORDS = new Set([
  'section', 'segment', 'global', 'extern', 'bits', 'default', 'rel', 'abs', 'equ', 'times', 'align',
  'db', 'dw', 'dd', 'dq', 'resb', 'resw', 'resd', 'resq',
  'byte', 'word', 'dword', 'qword', 'tword', 'oword', 'xmmword', 'ymmword', 'ptr', 'short', 'near',
])

const REGISTER = /^(?:[re]?(?:ax|bx|cx|dx|si|di|sp|bp|ip)|[abcd][lh]|(?:si|di|sp|bp)l|r(?:[89]|1[0-5])[bwdl]?|[xy]mm(?:[0-9]|1[0-5])|[cdefgs]s|rflags|eflags)$/
const NUMBER = /^(?:0x[0-9a-f]+|0b[01]+|0o[0-7]+|[0-9][0-9a-f]*h|[01]+b|[0-9]+)$/

const nasm: StreamParser<unknown> = {
  name: 'nasm',
  startState: (indentUnit) => gas.startState?.(indentUnit) ?? {},
  copyState: (state) => ({ ...(state as object) }),
  token(stream: StringStream, state: unknown): string | null {
    if (stream.eatSpace()) return null
    if (stream.peek() === ';') {
      stream.skipToEnd()
      return 'comment'
    }
    // A bare word (not a label `name:`): a NASM keyword, a register, or a number in NASM's notations.
    const word = stream.match(/^[A-Za-z0-9_]+/, false) as RegExpMatchArray | null
    if (word && stream.string[stream.pos + word[0].length] !== ':') {
      const text = word[0].toLowerCase()
      const style = NASM_KEYWORDS.has(text) ? 'keyword' : REGISTER.test(text) ? 'variable-2' : NUMBER.test(text) ? 'number' : null
      if (style) {
        stream.pos += word[0].length
        return style
      }
    }
    return gas.token(stream, state)
  },
  languageData: { commentTokens: { line: ';' } },
}

export const nasmAssembly = StreamLanguage.define(nasm)
