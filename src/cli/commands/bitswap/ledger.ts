import { withContext } from '../../command.js'
import type { LedgerView, LedgersView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface LedgerArgs {
  peer?: string
}

export const bitswapLedger: CommandModule<GlobalArgs, any> = {
  command: 'ledger [peer]',
  describe: 'One peer, or every peer we exchanged blocks with: bytes each way, credit status, what it owes and what was paid',
  builder: (yargs) => yargs.positional('peer', { type: 'string', describe: 'Peer id; every peer when absent' }),
  handler: withContext<LedgerArgs>(async (ctx, argv) => {
    if (argv.peer == null) {
      const { Peers } = await ctx.call<LedgersView>('bitswap/ledger')

      if (ctx.json) {
        ctx.printJson({ Peers })
        return
      }

      ctx.print('Peer\tSent\tReceived\tStatus\tUnpaid\tPaid to us\tPaid by us')

      for (const ledger of Peers) {
        ctx.print([ledger.Peer, ledger.Sent, ledger.Recv, ledger.Status, ledger.Unpaid, ledger.PaidToUs, ledger.PaidByUs].join('\t'))
      }

      return
    }

    const ledger = await ctx.call<LedgerView>('bitswap/ledger', { arg: argv.peer })

    if (ctx.json) {
      ctx.printJson(ledger)
      return
    }

    ctx.print(`Ledger for ${ledger.Peer}`)
    ctx.print(`Debt ratio:\t${ledger.Value.toFixed(6)}`)
    ctx.print(`Bytes sent:\t${ledger.Sent}`)
    ctx.print(`Bytes received:\t${ledger.Recv}`)
    ctx.print(`Status:\t\t${ledger.Status}`)
    ctx.print(`Served free:\t${ledger.FreeBytes}`)
    ctx.print(`Paid through:\t${ledger.PaidThrough}`)
    ctx.print(`Unpaid:\t\t${ledger.Unpaid}`)
    ctx.print(`Paid to us:\t${ledger.PaidToUs}`)
    ctx.print(`Paid by us:\t${ledger.PaidByUs}`)
  })
}
