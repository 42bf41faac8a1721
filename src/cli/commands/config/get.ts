import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface ConfigGetArgs {
  key: string
}

export const configGet: CommandModule<GlobalArgs, any> = {
  command: 'get <key>',
  describe: 'Print one value, by dotted key such as Datastore.StorageMax',
  builder: (yargs) => yargs.positional('key', { type: 'string', demandOption: true }),
  handler: withContext<ConfigGetArgs>(async (ctx, argv) => {
    const client = await ctx.client()
    const value = await client.config.get(argv.key, { signal: ctx.signal })

    if (ctx.json) {
      ctx.printJson({ Key: argv.key, Value: value })
      return
    }

    ctx.print(typeof value === 'string' ? value : JSON.stringify(value, null, 2))
  })
}
