import type { Command } from '../command'
import { PRODUCT_NAME, VERSION } from '../../version'

export const versionCommand: Command = {
  name: 'version',
  category: 'support',
  summary: `Show what version of ${PRODUCT_NAME} this is.`,
  documentation: `Show what version of ${PRODUCT_NAME} this is.\nExample: version`,
  run(_args, out) {
    out.write(PRODUCT_NAME, 'heading').line(` ${VERSION}`)
    out.line('A simulated x86-64 Linux process, byte by byte.', 'muted')
  },
}
