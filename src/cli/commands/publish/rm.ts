import { withContext } from '../../command.js'
import type { SiteView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface RmArgs {
  site: string
}

export const publishRm: CommandModule<GlobalArgs, any> = {
  command: 'rm <site>',
  describe: 'Stop publishing a site (its id or name)',
  builder: (yargs) => yargs.positional('site', { type: 'string', demandOption: true }),
  handler: withContext<RmArgs>(async (ctx, argv) => {
    const site = await ctx.call<SiteView>('publish/rm', { arg: argv.site }, { requireDaemon: true })

    if (ctx.json) {
      ctx.printJson(site)
      return
    }

    ctx.print(`removed ${site.ID} ${site.Name ?? ''}`.trim())
  })
}
