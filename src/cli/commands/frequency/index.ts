import { frequencyAsk } from './ask.js'
import { frequencyTop } from './top.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const frequency: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'frequency <command>',
  describe: 'What content peers ask for most: as this node has seen it, and as other nodes say',
  builder: (yargs) => yargs.command([frequencyTop, frequencyAsk] as any).demandCommand(1),
  handler: () => {}
}
