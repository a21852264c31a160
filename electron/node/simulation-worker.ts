// Entry point of a simulation worker thread: one per open session. Loads the program (if any)
// into a Machine, then hands everything to the SimulationRuntime.

import { parentPort, workerData } from 'node:worker_threads'
import * as v from 'valibot'
import { createDispatcher } from '../../shared/debugger'
import { describeIssues } from '../../shared/protocol/schema'
import { loadProgram } from './load-program'
import type { Machine } from '../../shared/machine/machine'
import { SimulationRuntime } from './simulation-runtime'
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
  let machine: Machine | null = null
  if (data.output.program) {
    try {
      machine = loadProgram(data.output.program)
    } catch (error) {
      post({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) })
      return
    }
  }
  const runtime = new SimulationRuntime({
    control: new Int32Array(data.output.control),
    machine,
    dispatcher: createDispatcher({ machine }),
    post,
  })
  port.on('message', (raw: unknown) => {
    const message = v.safeParse(HostMessageSchema, raw)
    // The host is trusted code, so a malformed message is a bug: report it loudly and carry on.
    if (!message.success) throw new Error(`Malformed message from the host: ${describeIssues(message.issues)}`)
    void runtime.receive(message.output)
  })
  post({ type: 'ready', memory: machine ? machine.memory.buffer : null, state: runtime.state() })
  runtime.start()
}

main()
