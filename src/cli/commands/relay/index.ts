import { relayStat } from './stat.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const relay: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'relay <command>',
  describe: 'Relaying others\' routed payments for a fee (Payments.Relay; needs the daemon)',
  builder: (yargs) => yargs.command([relayStat] as any).demandCommand(1),
  handler: () => {}
}
