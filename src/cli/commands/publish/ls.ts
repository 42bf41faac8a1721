import { withContext } from '../../command.js'
import { printSite } from './print.js'
import type { SiteView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const publishLs: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'ls',
  describe: 'The sites this node publishes',
  handler: withContext(async (ctx) => {
    const { Sites } = await ctx.call<{ Sites: SiteView[] }>('publish/ls', {}, { requireDaemon: true })

    if (ctx.json) {
      ctx.printJson({ Sites })
      return
    }

    Sites.forEach(site => { printSite(ctx, site, false) })
  })
}
