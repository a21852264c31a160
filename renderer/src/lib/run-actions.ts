// The toolbar's actions and their keys: VS Code's debugging keys, each doing what gdb's command
// of the same name does (the terminal shows the command, so the learner learns gdb's words too).

import type { Workspace } from './workspace.svelte'

export type RunActionId = 'run' | 'pause' | 'kill' | 'next' | 'step' | 'finish' | 'stepi' | 'reverse-step' | 'reverse-continue' | 'toggle-breakpoint'

export interface KeyChord {
  key: string
  shift?: boolean
  ctrl?: boolean
  alt?: boolean
}

export interface RunAction {
  id: RunActionId
  label: string
  /** What it does, for the tooltip. */
  description: string
  keys: KeyChord
}

export const RUN_ACTIONS: readonly RunAction[] = [
  { id: 'run', label: 'Continue', description: 'Run the program (gdb: run), or continue it to the next breakpoint (gdb: continue)', keys: { key: 'F5' } },
  { id: 'pause', label: 'Pause', description: 'Stop the running program where it is (gdb: Ctrl-C)', keys: { key: 'F6' } },
  { id: 'kill', label: 'Kill', description: 'End the program (gdb: kill)', keys: { key: 'F5', shift: true } },
  { id: 'next', label: 'Next', description: 'Run the next source line, stepping over calls (gdb: next)', keys: { key: 'F10' } },
  { id: 'step', label: 'Step', description: 'Run the next source line, stepping into calls (gdb: step)', keys: { key: 'F11' } },
  { id: 'finish', label: 'Finish', description: 'Run until the current function returns (gdb: finish)', keys: { key: 'F11', shift: true } },
  { id: 'stepi', label: 'Stepi', description: 'Run one machine instruction (gdb: stepi)', keys: { key: 'F11', ctrl: true } },
  { id: 'reverse-step', label: 'Back', description: 'Go back one source line, undoing every byte it wrote (gdb: reverse-step)', keys: { key: 'F10', shift: true } },
  { id: 'reverse-continue', label: 'Reverse', description: 'Run backwards to the previous breakpoint or the start (gdb: reverse-continue)', keys: { key: 'F5', ctrl: true, shift: true } },
  { id: 'toggle-breakpoint', label: 'Breakpoint', description: "Set or clear a breakpoint on the editor's current line (gdb: break / delete)", keys: { key: 'F9' } },
]

/** The action a key press asks for, if any. */
export function actionForKey(event: { key: string; shiftKey: boolean; ctrlKey: boolean; altKey: boolean; metaKey: boolean }): RunActionId | null {
  const found = RUN_ACTIONS.find(({ keys }) => keys.key === event.key && !!keys.shift === event.shiftKey && !!keys.ctrl === (event.ctrlKey || event.metaKey) && !!keys.alt === event.altKey)
  return found?.id ?? null
}

/** "Shift+F11", as tooltips and aria-keyshortcuts write chords. */
export function chordText(chord: KeyChord): string {
  return [chord.ctrl ? 'Control' : '', chord.alt ? 'Alt' : '', chord.shift ? 'Shift' : '', chord.key].filter(Boolean).join('+')
}

/** Whether the action makes sense now (a disabled button says why in its tooltip). */
export function actionEnabled(workspace: Workspace, id: RunActionId): boolean {
  const run = workspace.state?.run
  const loaded = workspace.programPath !== null && run !== undefined && run !== 'no-program' && run !== 'crashed'
  if (!loaded) return false
  const running = run === 'running'
  const stopped = run === 'paused' || (run === 'signaled' && workspace.snapshot?.phase === 'signaled')
  switch (id) {
    case 'run':
      return !running
    case 'pause':
      return running || run === 'waiting-input'
    case 'kill':
      return running || stopped || run === 'waiting-input'
    case 'toggle-breakpoint':
      return workspace.cursorLine !== null && !running
    default:
      return stopped
  }
}

const COMMANDS: Partial<Record<RunActionId, string>> = {
  next: 'next',
  step: 'step',
  finish: 'finish',
  stepi: 'stepi',
  'reverse-step': 'reverse-step',
  'reverse-continue': 'reverse-continue',
}

export async function performAction(workspace: Workspace, id: RunActionId): Promise<void> {
  if (!actionEnabled(workspace, id)) return
  switch (id) {
    case 'run':
      return workspace.runOrContinue()
    case 'pause':
      return workspace.pause()
    case 'kill':
      if (workspace.state?.run === 'running') workspace.pause()
      await workspace.execute('kill', { echo: true })
      return
    case 'toggle-breakpoint': {
      const cursor = workspace.cursorLine
      if (cursor) await workspace.toggleBreakpoint(cursor.file, cursor.line)
      return
    }
    default:
      await workspace.execute(COMMANDS[id]!, { echo: true })
  }
}
