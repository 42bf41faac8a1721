import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface PinRmArgs {
  paths: string[]
}

export const pinRm: CommandModule<GlobalArgs, any> = {
  command: 'rm <paths..>',
  describe: 'Unpin DAGs; their blocks go at the next gc',
  builder: (yargs) => yargs.positional('paths', { type: 'string', array: true, demandOption: true, describe: 'CIDs or /ipfs/ paths' }),
  handler: withContext<PinRmArgs>(async (ctx, argv) => {
    const client = await ctx.client()
    const pins: string[] = []

    for await (const cid of client.pin.rmAll(argv.paths.map(path => ({ path })), { signal: ctx.signal })) {
      pins.push(cid.toString())

      if (!ctx.json) {
        ctx.print(`unpinned ${cid}`)
      }
    }

    if (ctx.json) {
      ctx.printJson({ Pins: pins })
    }
  })
}
