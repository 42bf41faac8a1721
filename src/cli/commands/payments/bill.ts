import { withContext } from '../../command.js'
import type { BillView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface BillArgs {
  peer: string
  upTo?: string
}

export const paymentsBill: CommandModule<GlobalArgs, any> = {
  command: 'bill <peer>',
  describe: 'Ask a connected peer to pay for the bytes served to it since its last payment',
  builder: (yargs) => yargs
    .positional('peer', { type: 'string', demandOption: true, describe: 'Peer id' })
    .option('up-to', { type: 'string', describe: 'Bill only the bytes served up to this count, not all of them' }),
  handler: withContext<BillArgs>(async (ctx, argv) => {
    const bill = await ctx.call<BillView>('payments/bill', { arg: argv.peer, ...(argv.upTo == null ? {} : { 'up-to': argv.upTo }) }, { requireDaemon: true })

    if (ctx.json) {
      ctx.printJson(bill)
    } else if (bill.Status === 'paid') {
      ctx.print(`paid ${bill.Amount} for bytes up to ${bill.PaidThrough}; the tab now holds ${bill.TabTotal}`)
    } else if (bill.Status === 'nothing-due') {
      ctx.print(`nothing due: paid for bytes up to ${bill.PaidThrough}`)
    } else {
      ctx.print(`rejected (${bill.Code}): ${bill.Reason}`)
      process.exitCode = 1
    }
  })
}
