import { withContext } from '../../command.js'
import { integerOption } from '../../options.js'
import type { WalletHistoryView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface HistoryArgs {
  limit: number
}

export const walletHistory: CommandModule<GlobalArgs, any> = {
  command: 'history',
  describe: 'Payments to and from the node\'s Stellar account, newest first',
  builder: (yargs) => yargs.option('limit', { alias: 'n', ...integerOption('How many (at most 200)', 50) }),
  handler: withContext<HistoryArgs>(async (ctx, argv) => {
    const history = await ctx.call<WalletHistoryView>('wallet/history', { limit: String(argv.limit) })

    if (ctx.json) {
      ctx.printJson(history)
      return
    }

    for (const payment of history.Payments) {
      const asset = payment.Asset === 'native' ? 'XLM' : payment.Asset.split(':')[0]
      const other = payment.Direction === 'in' ? `from ${payment.From}` : `to ${payment.To}`
      ctx.print(`${payment.CreatedAt} ${payment.Direction === 'in' ? '+' : '-'}${payment.Amount} ${asset} ${other}`)
    }
  })
}
