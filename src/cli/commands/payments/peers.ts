import { withContext } from '../../command.js'
import type { PeersView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const paymentsPeers: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'peers',
  describe: 'Each peer: bytes served to it and what it paid; bytes fetched from it and what we paid',
  handler: withContext(async (ctx) => {
    const peers = await ctx.call<PeersView>('payments/peers', {}, { requireDaemon: true })

    if (ctx.json) {
      ctx.printJson(peers)
      return
    }

    for (const peer of peers.Peers) {
      const served = peer.Served == null ? '' : ` served ${peer.Served.Bytes} B, paid for ${peer.Served.PaidThrough} B, received ${peer.Served.Received}${forAttention(peer.Served.Attention)}`
      const fetched = peer.Fetched == null ? '' : ` fetched ${peer.Fetched.Bytes} B, paid ${peer.Fetched.Paid}${forAttention(peer.Fetched.Attention)} (${peer.Fetched.Unsettled} unsettled)`
      ctx.print(`${peer.Peer}${served}${fetched}`)
    }
  })
}

/** ", 0.002 of it for attention", when some was */
function forAttention (amount: string): string {
  return /[1-9]/.test(amount) ? `, ${amount} of it for attention` : ''
}
