import { paymentsBill } from './bill.js'
import { paymentsPeers } from './peers.js'
import { paymentsRoutes } from './routes.js'
import { paymentsSettle } from './settle.js'
import { paymentsTabs } from './tabs.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const payments: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'payments <command>',
  describe: 'Bill peers, see what each peer paid and was paid, settle tabs on the ledger, see routed payments (needs the daemon)',
  builder: (yargs) => yargs.command([paymentsBill, paymentsPeers, paymentsTabs, paymentsSettle, paymentsRoutes] as any).demandCommand(1),
  handler: () => {}
}
