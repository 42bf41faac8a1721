import { CID } from 'multiformats/cid'
import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface ProvideArgs {
  cids: string[]
}

export const routingProvide: CommandModule<GlobalArgs, any> = {
  command: 'provide <cids..>',
  describe: 'Announce in the DHT that this node provides CIDs it holds, and wait until it is done',
  builder: (yargs) => yargs.positional('cids', { type: 'string', array: true, demandOption: true }),
  handler: withContext<ProvideArgs>(async (ctx, argv) => {
    const client = await ctx.client({ requireDaemon: true })
    const cids = argv.cids.map(cid => CID.parse(cid))
    let errors = 0

    for await (const event of client.routing.provide(cids, { signal: ctx.signal })) {
      if (event.name === 'QUERY_ERROR') {
        errors++
      }
    }

    if (ctx.json) {
      ctx.printJson({ Provided: cids.map(String), QueryErrors: errors })
    } else {
      ctx.print(`provided ${cids.join(' ')}${errors > 0 ? ` (${errors} peers could not be reached)` : ''}`)
    }
  })
}
