import { statsBw } from './bw.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const stats: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'stats <command>',
  describe: 'Node statistics',
  builder: (yargs) => yargs.command([statsBw] as any).demandCommand(1),
  handler: () => {}
}
