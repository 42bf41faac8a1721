import { multiaddr } from '@multiformats/multiaddr'
import { withContext } from '../../command.js'
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

    for (const address of argv.addresses) {
      let target

      try {
        target = multiaddr(address)
      } catch {
        throw new Error(`"${address}" is not a multiaddr: expected e.g. /ip4/127.0.0.1/tcp/4101/p2p/<peer id>`)
      }

      await client.swarm.connect(target, { signal: ctx.signal })
      ctx.print(`connect ${target.getComponents().find(c => c.name === 'p2p')?.value ?? target} success`)
    }
  })
}
