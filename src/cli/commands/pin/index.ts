import { pinAdd } from './add.js'
import { pinLs } from './ls.js'
import { pinRm } from './rm.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const pin: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'pin <command>',
  describe: 'Pin, unpin and list pinned DAGs',
  builder: (yargs) => yargs.command([pinAdd, pinRm, pinLs] as any).demandCommand(1),
  handler: () => {}
}
