import { withContext } from '../../command.js'
import type { NameView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface ResolveArgs {
  name: string
}

export const namesResolve: CommandModule<GlobalArgs, any> = {
  command: 'resolve <name>',
  describe: 'The onion a TorPlus name stands for: torplus.example.com, video.torplus.eth or http://sites.torplus.com/#video (needs the daemon)',
  builder: (yargs) => yargs.positional('name', { type: 'string', demandOption: true }),
  handler: withContext<ResolveArgs>(async (ctx, argv) => {
    const found = await ctx.call<NameView>('names/resolve', { arg: argv.name }, { requireDaemon: true })

    if (ctx.json) {
      ctx.printJson(found)
      return
    }

    ctx.print(found.Onion)
  })
}
