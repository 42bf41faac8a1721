import { withContext } from '../../command.js'
import { parsePeerAddress, peerOf } from './address.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface SwarmConnectArgs {
  addresses: string[]
}

export const swarmConnect: CommandModule<GlobalArgs, any> = {
  command: 'connect <addresses..>',
  describe: 'Connect to peers by multiaddr (ending in /p2p/<peer id>)',
  builder: (yargs) => yargs.positional('addresses', { type: 'string', array: true, demandOption: true }),
  handler: withContext<SwarmConnectArgs>(async (ctx, argv) => {
    const client = await ctx.client()

    for (const target of argv.addresses.map(parsePeerAddress)) {
      await client.swarm.connect(target, { signal: ctx.signal })
      ctx.print(`connect ${peerOf(target)} success`)
    }
  })
}
