import { PRODUCT_NAME, VERSION } from '../../../shared/version'
import type { Subcommand } from './subcommand'

export const versionSubcommand: Subcommand = {
  name: 'version',
  summary: 'print the version of Memscape',
  usage: '',
  async run(_args, io) {
    io.out(`${PRODUCT_NAME} ${VERSION}\n`)
    return 0
  },
}
