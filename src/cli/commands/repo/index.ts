import { repoGc } from './gc.js'
import { repoStat } from './stat.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const repo: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'repo <command>',
  describe: 'Inspect and clean the repo',
  builder: (yargs) => yargs.command([repoStat, repoGc] as any).demandCommand(1),
  handler: () => {}
}
