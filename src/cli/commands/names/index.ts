import { namesResolve } from './resolve.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const names: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'names <command>',
  describe: 'TorPlus names: torplus.<domain> (DNS TXT), <name>.eth and sites.torplus.com/#<keyword> (ENS)',
  builder: (yargs) => yargs.command([namesResolve] as any).demandCommand(1),
  handler: () => {}
}
