// What the rest of the window may ask of the source editor. The toolbar binds F9 (VS Code's
// "toggle breakpoint") for the whole window and calls `toggleBreakpointAtCursor`; the editor
// handles F9 itself while it has focus and stops the key there, so one press toggles once.

export interface SourceEditorActions {
  /** Sets or deletes the breakpoint on the cursor's line; false when no source file is open. */
  toggleBreakpointAtCursor(): boolean
}

let active: SourceEditorActions | null = null

/** The source pane registers itself while it is on screen; the returned function unregisters it. */
export function registerSourceEditor(actions: SourceEditorActions): () => void {
  active = actions
  return () => {
    if (active === actions) active = null
  }
}

/** F9: toggles a breakpoint on the line of the source editor's cursor (gdb's `break FILE:LINE`
 *  or `delete N`, echoed in the terminal). Returns false when there is no source to mark. */
export function toggleBreakpointAtCursor(): boolean {
  return active?.toggleBreakpointAtCursor() ?? false
}
