import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const swarmPeers: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'peers',
  describe: 'List connected peers',
  handler: withContext(async (ctx) => {
    const client = await ctx.client()
    const peers = await client.swarm.peers({ signal: ctx.signal })

    if (ctx.json) {
      ctx.printJson({ Peers: peers.map(peer => ({ Addr: peer.addr.toString(), Peer: peer.peer.toString() })) })
      return
    }

    for (const peer of peers) {
      ctx.print(`${peer.addr}/p2p/${peer.peer}`)
    }
  })
}
