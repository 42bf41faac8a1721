import { withContext } from '../../command.js'
import { integerOption } from '../../options.js'
import type { PeerListView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface AskArgs {
  peer: string
  n?: number
}

export const frequencyAsk: CommandModule<GlobalArgs, any> = {
  command: 'ask <peer>',
  describe: 'A peer\'s list of what its peers ask for most (/torplus/popular/1.0.0); one request per 10 minutes per peer is answered',
  builder: (yargs) => yargs
    .positional('peer', { type: 'string', describe: 'Peer id (connected, or known to the DHT)' })
    .option('n', integerOption('Most items (1000)')),
  handler: withContext<AskArgs>(async (ctx, argv) => {
    const list = await ctx.call<PeerListView>('frequency/ask', { arg: argv.peer, n: argv.n == null ? undefined : String(argv.n) }, { requireDaemon: true })

    if (ctx.json) {
      ctx.printJson(list)
      return
    }

    ctx.print(`${list.Peer}: ${list.Items.length} items, made ${new Date(list.SnapshotTime).toISOString()}, half-life ${list.HalfLife / 3_600_000} h${list.Malformed > 0 ? `, ${list.Malformed} malformed entries dropped` : ''}`)

    for (const item of list.Items) {
      ctx.print(`${item.Requesters}\t${item.Cid}${item.Held ? '\theld' : ''}${item.RootConfirmed ? '' : '\t(unconfirmed root)'}`)
    }
  })
}
