import { peerIdFromString } from '@libp2p/peer-id'
import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface FindPeerArgs {
  peer: string
}

export const routingFindPeer: CommandModule<GlobalArgs, any> = {
  command: 'findpeer <peer>',
  describe: 'Find the addresses of a peer through the DHT',
  builder: (yargs) => yargs.positional('peer', { type: 'string', demandOption: true }),
  handler: withContext<FindPeerArgs>(async (ctx, argv) => {
    const client = await ctx.client({ requireDaemon: true })
    const peerId = peerIdFromString(argv.peer)

    for await (const event of client.routing.findPeer(peerId, { signal: ctx.signal })) {
      if (event.name === 'FINAL_PEER' && event.peer.id.equals(peerId)) {
        if (ctx.json) {
          ctx.printJson({ ID: event.peer.id.toString(), Addrs: event.peer.multiaddrs.map(String) })
        } else {
          event.peer.multiaddrs.forEach(ma => { ctx.print(ma.toString()) })
        }
      }
    }
  })
}
