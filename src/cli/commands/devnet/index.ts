import { devnetDown } from './down.js'
import { devnetLedger } from './ledger.js'
import { devnetNames } from './names.js'
import { devnetStatus } from './status.js'
import { devnetUp } from './up.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const devnet: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'devnet <command>',
  describe: 'A private tor network and torplus daemons on this machine, for development and tests',
  builder: (yargs) => yargs.command([devnetUp, devnetDown, devnetStatus, devnetLedger, devnetNames] as any).demandCommand(1),
  handler: () => {}
}
