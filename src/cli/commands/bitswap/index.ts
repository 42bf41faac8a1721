import { bitswapLedger } from './ledger.js'
import { bitswapStat } from './stat.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const bitswap: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'bitswap <command>',
  describe: 'Bitswap traffic and, per peer, what it was served, owes and paid',
  builder: (yargs) => yargs.command([bitswapStat, bitswapLedger] as any).demandCommand(1),
  handler: () => {}
}
