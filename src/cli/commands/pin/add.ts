import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface PinAddArgs {
  paths: string[]
  name?: string
}

export const pinAdd: CommandModule<GlobalArgs, any> = {
  command: 'add <paths..>',
  describe: 'Pin DAGs, fetching missing blocks, so gc keeps them',
  builder: (yargs) => yargs
    .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'CIDs or /ipfs/ paths' })
    .option('name', { type: 'string', describe: 'A name to keep with the pin' }),
  handler: withContext<PinAddArgs>(async (ctx, argv) => {
    const client = await ctx.client()
    const pins: string[] = []

    for await (const cid of client.pin.addAll(argv.paths.map(path => ({ path, name: argv.name })), { signal: ctx.signal })) {
      pins.push(cid.toString())

      if (!ctx.json) {
        ctx.print(`pinned ${cid} recursively`)
      }
    }

    if (ctx.json) {
      ctx.printJson({ Pins: pins })
    }
  })
}
