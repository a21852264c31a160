// The window's connection to the host and its one debugging session, as reactive state.

import { tick } from 'svelte'
import type { MemscapeApi, SessionState } from '../../../shared/protocol/api'
import type { TransportKind } from './api'
import { Workspace } from './workspace.svelte'

export type ConnectionStatus = 'connecting' | 'connected' | 'failed' | 'disconnected'

export class AppSession {
  status = $state<ConnectionStatus>('connecting')
  error = $state<string | null>(null)
  version = $state('')
  state = $state<SessionState | null>(null)
  workspace = $state.raw<Workspace | null>(null)

  constructor(
    readonly api: MemscapeApi,
    readonly transport: TransportKind,
  ) {}

  /** The host went away (browser-mode server stopped): nothing works until a reload. */
  lost(reason: string): void {
    this.status = 'disconnected'
    this.error = reason
  }

  async start(): Promise<void> {
    this.api.subscribe((event) => {
      if (event.type === 'state' && event.state.sessionId === this.state?.sessionId) {
        // While the program runs, the workspace paces the updates (once per live frame).
        if (!(this.state.run === 'running' && event.state.run === 'running')) this.state = event.state
        this.workspace?.updateState(event.state)
      }
    })
    try {
      this.version = (await this.api.version()).version
      this.state = await this.api.openSession()
      this.workspace = new Workspace(this.api, this.state.sessionId, {
        schedule: (callback) => requestAnimationFrame(callback),
        // Svelte's DOM updates, then a forced layout: what the frame costs before it is painted.
        settle: () => tick().then(() => void document.body.offsetHeight),
      })
      this.workspace.updateState(this.state)
      this.status = 'connected'
    } catch (error) {
      this.status = 'failed'
      this.error = error instanceof Error ? error.message : String(error)
    }
  }
}
