import { withContext } from '../../command.js'
import { parsePeerAddress, peerOf } from './address.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface SwarmDisconnectArgs {
  addresses: string[]
}

export const swarmDisconnect: CommandModule<GlobalArgs, any> = {
  command: 'disconnect <addresses..>',
  describe: 'Close every connection to peers, given by multiaddr (ending in /p2p/<peer id>, or just /p2p/<peer id>)',
  builder: (yargs) => yargs.positional('addresses', { type: 'string', array: true, demandOption: true }),
  handler: withContext<SwarmDisconnectArgs>(async (ctx, argv) => {
    const client = await ctx.client()

    for (const target of argv.addresses.map(parsePeerAddress)) {
      await client.swarm.disconnect(target, { signal: ctx.signal })
      ctx.print(`disconnect ${peerOf(target)} success`)
    }
  })
}
