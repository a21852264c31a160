// The editor's look from theme.css's variables, so the dark and light themes both apply without
// rebuilding the editor: CodeMirror's classes get `var(--…)` colours, not fixed ones.

import { HighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { EditorView } from '@codemirror/view'
import type { Extension } from '@codemirror/state'
import { tags } from '@lezer/highlight'

const editorTheme = EditorView.theme({
  '&': { height: '100%', color: 'var(--text)', backgroundColor: 'var(--bg-pane)', fontSize: '13px' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.5' },
  '.cm-content': { caretColor: 'var(--accent)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--accent)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selected)' },
  '.cm-activeLine': { backgroundColor: 'var(--bg-hover)' },
  '.cm-gutters': { backgroundColor: 'var(--bg-pane)', color: 'var(--text-faint)', borderRight: '1px solid var(--border)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--bg-hover)', color: 'var(--text-muted)' },
  '.cm-lineNumbers .cm-gutterElement': { cursor: 'pointer', padding: '0 6px 0 4px' },
  '.cm-tooltip': { backgroundColor: 'var(--bg-header)', color: 'var(--text)', border: '1px solid var(--border-strong)', borderRadius: '4px' },
  '.cm-tooltip-lint': { fontFamily: 'var(--font-mono)', fontSize: '12px' },
  '.cm-diagnostic': { padding: '3px 8px' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--danger)' },
  '.cm-diagnostic-warning': { borderLeftColor: 'var(--warn)' },
  '.cm-diagnostic-info': { borderLeftColor: 'var(--text-muted)' },
  '.cm-panels': { backgroundColor: 'var(--bg-header)', color: 'var(--text)' },
  '.cm-matchingBracket': { backgroundColor: 'var(--accent-soft)', outline: '1px solid var(--border-strong)' },
})

const highlightStyle = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.operatorKeyword, tags.modifier], color: 'var(--syntax-keyword)' },
  { tag: [tags.typeName, tags.standard(tags.typeName)], color: 'var(--syntax-type)' },
  { tag: [tags.string, tags.character], color: 'var(--syntax-string)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--syntax-number)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--syntax-comment)', fontStyle: 'italic' },
  { tag: [tags.function(tags.variableName), tags.function(tags.definition(tags.variableName))], color: 'var(--syntax-function)' },
  { tag: [tags.processingInstruction, tags.macroName, tags.meta], color: 'var(--syntax-preprocessor)' },
  // Assembly: labels, registers, directives.
  { tag: [tags.tagName, tags.labelName], color: 'var(--syntax-label)' },
  { tag: tags.special(tags.variableName), color: 'var(--syntax-register)' },
  { tag: tags.standard(tags.variableName), color: 'var(--syntax-preprocessor)' },
  { tag: tags.invalid, color: 'var(--danger)' },
])

export const editorLook: Extension = [editorTheme, syntaxHighlighting(highlightStyle)]
