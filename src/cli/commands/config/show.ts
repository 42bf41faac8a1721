import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const configShow: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'show',
  describe: 'Print the whole config',
  handler: withContext(async (ctx) => {
    const client = await ctx.client()
    const config = await client.config.getAll({ signal: ctx.signal })
    process.stdout.write(JSON.stringify(config, null, ctx.json ? undefined : 2) + '\n')
  })
}
