import { CID } from 'multiformats/cid'
import { withContext } from '../../command.js'
import { integerOption } from '../../options.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface FindProvsArgs {
  cid: string
  numProviders: number
  verbose: boolean
}

export const routingFindProvs: CommandModule<GlobalArgs, any> = {
  command: 'findprovs <cid>',
  describe: 'Find peers in the DHT that provide a CID',
  builder: (yargs) => yargs
    .positional('cid', { type: 'string', demandOption: true })
    .option('num-providers', { alias: 'n', ...integerOption('Stop after this many providers', 20) })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Print every query event, not only providers' }),
  handler: withContext<FindProvsArgs>(async (ctx, argv) => {
    const client = await ctx.client({ requireDaemon: true })

    for await (const event of client.routing.findProvs(CID.parse(argv.cid), { numProviders: argv.numProviders, signal: ctx.signal } as any)) {
      if (ctx.json) {
        ctx.printJson(event)
      } else if (event.name === 'PROVIDER') {
        for (const provider of event.providers) {
          ctx.print(argv.verbose ? `${provider.id} ${provider.multiaddrs.join(' ')}` : provider.id.toString())
        }
      } else if (argv.verbose) {
        ctx.print(`${event.name}${'from' in event ? ` ${event.from}` : ''}`)
      }
    }
  })
}
