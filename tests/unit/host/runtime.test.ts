// The worker's run loop, in-process, against a scripted machine.

import { afterEach, describe, expect, test } from 'vitest'
import { createDispatcher } from '../../../shared/debugger'
import type { ControlAction } from '../../../shared/protocol/api'
import { ACK_SEQ, createControlBlock, postControlRequest } from '../../../electron/node/control-block'
import { SimulationRuntime, type MachineStatus, type RunnableMachine } from '../../../electron/node/simulation-runtime'
import type { WorkerMessage } from '../../../electron/node/worker-messages'

/** Spins forever, or exits with `exitCode` once `exitAfter` instructions have run. */
class ScriptedMachine implements RunnableMachine {
  readonly memory = { buffer: new SharedArrayBuffer(4096) }
  status: MachineStatus = { state: 'ready' }
  instructionCount = 0
  /** Where the worker wires the guest's output (the runtime's guestOutput). */
  onOutput: (fd: 1 | 2, bytes: Uint8Array) => void = () => {}
  constructor(private readonly exitAfter = Infinity) {}
  run(maxInstructions: number): MachineStatus {
    const n = Math.min(maxInstructions, this.exitAfter - this.instructionCount)
    this.instructionCount += n
    if (this.instructionCount >= this.exitAfter) {
      this.onOutput(1, new TextEncoder().encode('bye\n'))
      this.status = { state: 'exited', code: 3 }
    } else this.status = { state: 'running' }
    return this.status
  }
}

const runtimes: SimulationRuntime[] = []
let stopAll: (() => void)[] = []
afterEach(() => {
  for (const stop of stopAll) stop()
  stopAll = []
  runtimes.length = 0
})

function start(machine: RunnableMachine | null) {
  const control = createControlBlock()
  const messages: WorkerMessage[] = []
  const waiters: (() => void)[] = []
  const runtime = new SimulationRuntime({
    control,
    machine: () => machine,
    dispatcher: createDispatcher(),
    post: (message) => {
      messages.push(message)
      for (const wake of waiters.splice(0)) wake()
    },
  })
  if (machine instanceof ScriptedMachine) machine.onOutput = (fd, bytes) => runtime.guestOutput(fd, bytes)
  runtime.start()
  const nextMessage = (match: (message: WorkerMessage) => boolean): Promise<WorkerMessage> =>
    new Promise((resolve) => {
      const check = (): void => {
        const found = messages.find(match)
        if (found) resolve(found)
        else waiters.push(check)
      }
      check()
    })
  const request = async (action: ControlAction) => {
    const seq = postControlRequest(control, action)
    const reply = await nextMessage((message) => message.type === 'state' && message.ack === seq)
    if (reply.type !== 'state') throw new Error('unreachable')
    expect(Atomics.load(control, ACK_SEQ)).toBe(seq)
    return reply
  }
  // Leave no runtime spinning after a test.
  stopAll.push(() => void postControlRequest(control, 'stop'))
  return { runtime, messages, request, nextMessage }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('SimulationRuntime', () => {
  test('without a program, run and step are refused as gdb refuses them', async () => {
    const { runtime, request } = start(null)
    expect(runtime.state().run).toBe('no-program')
    expect((await request('run')).error).toBe('No executable file specified.')
    expect((await request('step')).error).toBe('No executable file specified.')
    expect((await request('pause')).error).toBeNull()
  })

  test('run, pause and step drive the machine', async () => {
    const machine = new ScriptedMachine()
    const { request } = start(machine)
    expect((await request('run')).state.run).toBe('running')
    await sleep(30)
    const paused = await request('pause')
    expect(paused.state.run).toBe('paused')
    const count = machine.instructionCount
    expect(count).toBeGreaterThan(0)
    await sleep(20)
    expect(machine.instructionCount).toBe(count)
    const stepped = await request('step')
    expect(stepped.state).toMatchObject({ run: 'paused', instructionCount: count + 1 })
  })

  test('step is refused while running; stop ends the program for good', async () => {
    const { request } = start(new ScriptedMachine())
    await request('run')
    expect((await request('step')).error).toBe('Cannot execute this command while the target is running.')
    expect((await request('stop')).state.run).toBe('stopped')
    expect((await request('run')).error).toBe('The program is not being run.')
  })

  test('commands are answered while the guest runs', async () => {
    const { runtime, request, messages } = start(new ScriptedMachine())
    await request('run')
    await runtime.receive({ type: 'execute', requestId: 7, line: 'echo still here', typed: false })
    expect(messages.find((message) => message.type === 'result')).toMatchObject({
      requestId: 7,
      output: { ok: true, segments: [{ text: 'still here', style: 'plain' }] },
    })
    expect(runtime.state().run).toBe('running')
  })

  test('an exit is published with the guest output before it', async () => {
    const { request, nextMessage, messages } = start(new ScriptedMachine(100_000))
    await request('run')
    const exited = await nextMessage((message) => message.type === 'state' && message.state.run === 'exited')
    expect(exited).toMatchObject({ state: { run: 'exited', exitCode: 3, instructionCount: 100_000 }, ack: null })
    const output = messages.findIndex((message) => message.type === 'output')
    expect(output).toBeGreaterThanOrEqual(0)
    expect(output).toBeLessThan(messages.indexOf(exited))
  })

  test('running state is published at most 60 times a second', async () => {
    const { request, messages } = start(new ScriptedMachine())
    await request('run')
    await sleep(500)
    await request('pause')
    const unsolicited = messages.filter((message) => message.type === 'state' && message.ack === null).length
    expect(unsolicited).toBeGreaterThan(0)
    expect(unsolicited).toBeLessThanOrEqual(31)
  })
})
