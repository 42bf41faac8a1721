import { withContext } from '../../command.js'
import type { AttentionPaymentsView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const attentionPay: CommandModule<GlobalArgs, any> = {
  command: 'pay',
  describe: 'Pay site owners what they are owed for attention now, rather than at the next round (needs Payments.AttentionPricePerMinute and the daemon)',
  handler: withContext(async (ctx) => {
    const round = await ctx.call<AttentionPaymentsView>('attention/pay', {}, { requireDaemon: true })

    if (ctx.json) {
      ctx.printJson(round)
      return
    }

    if (round.Payments.length === 0) {
      ctx.print('no site is owed enough to pay yet (0.001 at least)')
      return
    }

    for (const payment of round.Payments) {
      const outcome = payment.Error == null ? 'paid' : `paid ${payment.Paid} of ${payment.Offered}: ${payment.Error}`
      ctx.print(`${payment.Paid.padEnd(12)} ${payment.Site}  ${outcome}`)
    }
  })
}
