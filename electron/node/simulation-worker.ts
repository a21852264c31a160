// Entry point of a simulation worker thread: one per open session. Loads the program (if any)
// into the session's debugger and starts it (stopped at its first instruction), then hands
// everything to the SimulationRuntime. A debugger `run` starts a new machine: its memory is
// announced to the host, which reads hex dumps from it.

import { readFileSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import * as v from 'valibot'
import { createDispatcher, DebugSession } from '../../shared/debugger'
import { buildIntoSession, openIntoSession } from '../../shared/debugger/load-program'
import { SnapshotHistory } from '../../shared/debugger/snapshot'
import { describeIssues } from '../../shared/protocol/schema'
import { SimulationRuntime, type RunnableMachine } from './simulation-runtime'
import { HostMessageSchema, WorkerDataSchema, type WorkerMessage } from './worker-messages'

function main(): void {
  const port = parentPort
  if (!port) throw new Error('simulation-worker must run as a worker thread')
  const post = (message: WorkerMessage): void => port.postMessage(message)

  const data = v.safeParse(WorkerDataSchema, workerData)
  if (!data.success) {
    post({ type: 'load-failed', message: `Invalid worker data: ${describeIssues(data.issues)}` })
    return
  }
  const program = data.output.program
  const session = new DebugSession(program ? { run: { args: program.argv.slice(1), env: program.env, seed: program.seed, aslr: program.aslr } } : {})
  let announced: SharedArrayBuffer | null = null
  if (program) {
    try {
      session.load({ path: program.path, image: program.image, sources: program.sources })
      session.launch()
      announced = session.inferior!.machine.memory.buffer
    } catch (error) {
      post({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) })
      return
    }
  }
  // The run loop drives the current inferior without stopping at breakpoints: the toolbar's
  // run and step are the machine's; the debugger's commands are where breakpoints live.
  const machine = (): RunnableMachine | null => {
    const inferior = session.inferior
    if (!inferior) return null
    if (inferior.machine.memory.buffer !== announced) {
      announced = inferior.machine.memory.buffer
      post({ type: 'memory', memory: announced })
    }
    return {
      memory: inferior.machine.memory,
      get status() {
        return inferior.recorder.status
      },
      get instructionCount() {
        return inferior.instructionCount
      },
      run(maxInstructions) {
        const cpu = inferior.machine.cpu
        cpu.breakpointsArmed = false
        try {
          return inferior.recorder.run(maxInstructions)
        } finally {
          cpu.breakpointsArmed = true
        }
      },
    }
  }
  let snapshots = new SnapshotHistory()
  const runtime = new SimulationRuntime({
    control: new Int32Array(data.output.control),
    machine,
    dispatcher: createDispatcher(session),
    programLoaded: () => session.program !== null,
    snapshot: (live) => (session.inferior ? snapshots.take(session, { live }) : null),
    load: (request) => {
      const report = request.type === 'build' ? buildIntoSession(session, request.request) : openIntoSession(session, request)
      // What changed is measured within one program.
      if (report.ok) snapshots = new SnapshotHistory()
      return report
    },
    post,
  })
  // `run < FILE` and `file PATH` name files of the machine the debugger runs on.
  session.readFile = (path) => {
    try {
      return new Uint8Array(readFileSync(path))
    } catch {
      return null
    }
  }
  session.hooks = {
    output: (fd, bytes) => runtime.guestOutput(fd, bytes),
    console: (output) => runtime.commandProgress(output),
    readInput: () => runtime.requestInput(),
    interruptRequested: () => runtime.takeInterrupt(),
    yield: () => runtime.breathe(),
  }
  port.on('message', (raw: unknown) => {
    const message = v.safeParse(HostMessageSchema, raw)
    // The host is trusted code, so a malformed message is a bug: report it loudly and carry on.
    if (!message.success) throw new Error(`Malformed message from the host: ${describeIssues(message.issues)}`)
    void runtime.receive(message.output).then(() => machine())
  })
  post({ type: 'ready', memory: announced, state: runtime.state() })
  runtime.start()
}

main()
