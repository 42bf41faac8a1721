import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface LedgerArgs {
  peer: string
}

interface Ledger {
  Peer: string
  Value: number
  Sent: string
  Recv: string
  Status: string
  Unpaid: string
  FreeBytes: string
  PaidThrough: string
  PaidToUs: string
  PaidByUs: string
}

export const bitswapLedger: CommandModule<GlobalArgs, any> = {
  command: 'ledger <peer>',
  describe: 'One peer: bytes each way, its credit status, what it owes and what was paid',
  builder: (yargs) => yargs.positional('peer', { type: 'string', demandOption: true, describe: 'Peer id' }),
  handler: withContext<LedgerArgs>(async (ctx, argv) => {
    const ledger = await ctx.call<Ledger>('bitswap/ledger', { arg: argv.peer })

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
