import { withContext } from '../command.js'
import type { GlobalArgs } from '../context.js'
import type { CommandModule } from 'yargs'

export const shutdown: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'shutdown',
  describe: 'Stop the daemon running on the repo',
  handler: withContext(async (ctx) => {
    const client = await ctx.client({ requireDaemon: true })
    await client.stop({ signal: ctx.signal })
    ctx.print('daemon is shutting down')
  })
}
