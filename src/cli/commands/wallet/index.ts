import { walletAddress } from './address.js'
import { walletBalance } from './balance.js'
import { walletHistory } from './history.js'
import { walletTrust } from './trust.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const wallet: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'wallet <command>',
  describe: 'The node\'s Stellar account: address, balance, trustline, history',
  builder: (yargs) => yargs.command([walletAddress, walletBalance, walletTrust, walletHistory] as any).demandCommand(1),
  handler: () => {}
}
