import type { Command } from '../command'

export const killCommand: Command = {
  name: 'kill',
  category: 'running',
  runsProgram: true,
  aliases: ['k'],
  summary: 'Kill execution of program being debugged.',
  documentation: 'Kill execution of program being debugged.\nIts recorded history goes with it.\nExample: kill',
  run(_args, out, { session }) {
    const inferior = session.requireInferior()
    session.kill()
    out.line(`[Inferior 1 (process ${inferior.pid}) killed]`)
  },
}
