import { withContext } from '../../command.js'
import type { RoutesView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const paymentsRoutes: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'routes',
  describe: 'Payments through relays: the route sessions in use, the relays known with their fees and success, and our routed payments',
  handler: withContext(async (ctx) => {
    const routes = await ctx.call<RoutesView>('payments/routes', {}, { requireDaemon: true })

    if (ctx.json) {
      ctx.printJson(routes)
      return
    }

    if (routes.Hops === 0) {
      ctx.print('routes are off (Payments.Routes.Hops is 0): payments go directly to each payee')
    } else {
      ctx.print(`${routes.Hops} relays per payment; guard ${routes.Guard ?? 'not chosen yet'}; ${routes.Paid} paid (${routes.Spent}, ${routes.Fees} of it in fees), ${routes.Failed} failed`)
    }

    for (const session of routes.Sessions) {
      ctx.print(`session to ${session.Payee} since ${session.OpenedAt}: ${session.Relays.join(' → ')}`)
    }

    for (const relay of routes.Relays) {
      ctx.print(`relay ${relay.Peer}: ${relay.FeeBase} + ${relay.FeePPM} ppm, ${relay.ExpiryDelta} s, success ${Math.round(relay.Success * 100)}%${relay.PassedOver ? ', passed over after a failure' : ''}`)
    }

    for (const payment of routes.Payments) {
      const reason = payment.Reason == null ? '' : ` (${payment.Reason})`
      ctx.print(`${payment.CreatedAt} ${payment.State} ${payment.Amount} + ${payment.Fee} fee to ${payment.Payee ?? '?'} via ${payment.FirstHop ?? '?'}${reason}`)
    }
  })
}
