// The debugger's marks in the source editor: breakpoints as red dots in a gutter, and the line the
// program is stopped at (or, when it is stopped inside a function without source here, the line
// that called it) as a tinted line with an arrow. The pane sends the marks with `setDebugMarks`
// whenever the snapshot changes; edits in between move them with their lines.

import { RangeSet, RangeSetBuilder, StateEffect, StateField, type EditorState, type Extension } from '@codemirror/state'
import { Decoration, EditorView, GutterMarker, gutter, type DecorationSet } from '@codemirror/view'
import { breakpointTitle, type LineBreakpoint } from './breakpoints'

export interface StopMark {
  line: number
  /** `current`: the program is stopped on this line; `caller`: a deeper frame was called from it. */
  kind: 'current' | 'caller'
  title: string
}

export interface DebugMarks {
  breakpoints: ReadonlyMap<number, readonly LineBreakpoint[]>
  stop: StopMark | null
}

export const setDebugMarks = StateEffect.define<DebugMarks>()

class BreakpointMarker extends GutterMarker {
  constructor(readonly onLine: readonly LineBreakpoint[]) {
    super()
  }
  override eq(other: BreakpointMarker): boolean {
    return breakpointTitle(other.onLine) === breakpointTitle(this.onLine)
  }
  override toDOM(): Node {
    const dot = document.createElement('span')
    const enabled = this.onLine.some((breakpoint) => breakpoint.enabled)
    dot.className = `cm-breakpoint${enabled ? '' : ' cm-breakpoint-disabled'}`
    dot.title = breakpointTitle(this.onLine)
    return dot
  }
}

class StopMarker extends GutterMarker {
  constructor(readonly mark: StopMark) {
    super()
  }
  override eq(other: StopMarker): boolean {
    return other.mark.kind === this.mark.kind && other.mark.title === this.mark.title
  }
  override toDOM(): Node {
    const arrow = document.createElement('span')
    arrow.className = `cm-stop-arrow cm-stop-${this.mark.kind}`
    arrow.textContent = '➜'
    arrow.title = this.mark.title
    return arrow
  }
}

interface MarksState {
  gutter: RangeSet<GutterMarker>
  lines: DecorationSet
}

const EMPTY: MarksState = { gutter: RangeSet.empty, lines: Decoration.none }

function build(state: EditorState, marks: DebugMarks): MarksState {
  const byLine = new Map<number, GutterMarker[]>()
  const add = (line: number, marker: GutterMarker): void => {
    if (line >= 1 && line <= state.doc.lines) byLine.set(line, [...(byLine.get(line) ?? []), marker])
  }
  for (const [line, onLine] of marks.breakpoints) add(line, new BreakpointMarker(onLine))
  if (marks.stop) add(marks.stop.line, new StopMarker(marks.stop))
  const gutterMarks = new RangeSetBuilder<GutterMarker>()
  for (const line of [...byLine.keys()].sort((a, b) => a - b)) {
    for (const marker of byLine.get(line) ?? []) gutterMarks.add(state.doc.line(line).from, state.doc.line(line).from, marker)
  }
  const stopLine = marks.stop && marks.stop.line <= state.doc.lines ? state.doc.line(marks.stop.line) : null
  const lines = stopLine ? Decoration.set([Decoration.line({ class: `cm-stop-line cm-stop-line-${marks.stop?.kind}` }).range(stopLine.from)]) : Decoration.none
  return { gutter: gutterMarks.finish(), lines }
}

const marksField = StateField.define<MarksState>({
  create: () => EMPTY,
  update(value, transaction) {
    let next = transaction.docChanged ? { gutter: value.gutter.map(transaction.changes), lines: value.lines.map(transaction.changes) } : value
    for (const effect of transaction.effects) if (effect.is(setDebugMarks)) next = build(transaction.state, effect.value)
    return next
  },
  provide: (field) => EditorView.decorations.from(field, (marks) => marks.lines),
})

/** A spacer as wide as a breakpoint and an arrow together, so the gutter never jumps. */
class SpacerMarker extends GutterMarker {
  override toDOM(): Node {
    const spacer = document.createElement('span')
    spacer.className = 'cm-debug-spacer'
    return spacer
  }
}

const marksLook = EditorView.theme({
  '.cm-debug-gutter .cm-gutterElement': { position: 'relative', width: '24px', cursor: 'pointer' },
  '.cm-debug-spacer': { display: 'inline-block', width: '24px' },
  '.cm-breakpoint': {
    position: 'absolute',
    left: '2px',
    top: 'calc(50% - 5px)',
    width: '10px',
    height: '10px',
    borderRadius: '50%',
    backgroundColor: 'var(--breakpoint)',
  },
  '.cm-breakpoint-disabled': { backgroundColor: 'transparent', border: '2px solid var(--breakpoint)' },
  '.cm-stop-arrow': { position: 'absolute', left: '12px', top: '0', fontSize: '12px', color: 'var(--current-line-mark)', fontFamily: 'var(--font-ui)' },
  '.cm-stop-caller': { opacity: '0.6' },
  '.cm-stop-line-current': { backgroundColor: 'var(--current-line)', boxShadow: 'inset 2px 0 0 var(--current-line-mark)' },
  '.cm-stop-line-caller': { backgroundColor: 'var(--caller-line)' },
})

/** The gutter and line marks; a click on the gutter (or a line number) calls `onToggle` with the line. */
export function debugMarks(onToggle: (line: number) => void): Extension {
  const toggle = (view: EditorView, block: { from: number }): boolean => {
    onToggle(view.state.doc.lineAt(block.from).number)
    return true
  }
  return [
    marksField,
    marksLook,
    gutter({
      class: 'cm-debug-gutter',
      markers: (view) => view.state.field(marksField).gutter,
      initialSpacer: () => new SpacerMarker(),
      domEventHandlers: { mousedown: toggle },
    }),
  ]
}

