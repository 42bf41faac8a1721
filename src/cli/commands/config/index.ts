import { configGet } from './get.js'
import { configSet } from './set.js'
import { configShow } from './show.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const config: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'config <command>',
  describe: 'Read and change the repo config',
  builder: (yargs) => yargs.command([configShow, configGet, configSet] as any).demandCommand(1),
  handler: () => {}
}
