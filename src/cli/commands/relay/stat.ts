import { withContext } from '../../command.js'
import type { RelayStatView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const relayStat: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'stat',
  describe: 'What this node relays: its terms, the legs it is paid and pays on, what is locked, the fees earned',
  handler: withContext(async (ctx) => {
    const relay = await ctx.call<RelayStatView>('relay/stat', {}, { requireDaemon: true })

    if (ctx.json) {
      ctx.printJson(relay)
      return
    }

    ctx.print(relay.Enabled
      ? `relaying for ${relay.FeeBase} + ${relay.FeePPM} ppm, ${relay.ExpiryDelta} s off each expiry, at most ${relay.MaxPending} locked`
      : 'not relaying (Payments.Relay.Enabled is false)')
    ctx.print(`forwarded ${relay.Forwarded}: ${relay.Fulfilled} fulfilled, ${relay.Failed} failed; earned ${relay.Earned}; locked now ${relay.Pending}`)

    for (const leg of relay.LegsIn) {
      ctx.print(`paid by ${leg.Peer} on ${leg.Channel}/${leg.Sequence}: ${leg.Total}${leg.Held == null ? '' : `, ${leg.Held} locked`}`)
    }

    for (const leg of relay.LegsOut) {
      ctx.print(`paying ${leg.Peer} on ${leg.Channel}/${leg.Sequence}: ${leg.Total}${leg.Pending == null ? '' : `, ${leg.Pending} locked`}`)
    }
  })
}
