import { withContext } from '../../command.js'
import { integerOption } from '../../options.js'
import type { FrequencyTopView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface TopArgs {
  n: number
  local: boolean
  minRequesters?: number
}

export const frequencyTop: CommandModule<GlobalArgs, any> = {
  command: 'top',
  describe: 'The content peers ask for most: distinct requesters per item, decayed over time (--local: what this node\'s users asked for)',
  builder: (yargs) => yargs
    .option('n', integerOption('How many items', 10))
    .option('local', { type: 'boolean', default: false, describe: 'Local demand (gateway, cat, get, pin) instead of peers\'' })
    .option('min-requesters', integerOption('Leave out items with fewer requesters')),
  handler: withContext<TopArgs>(async (ctx, argv) => {
    const top = await ctx.call<FrequencyTopView>('frequency/top', {
      n: String(argv.n),
      local: String(argv.local),
      'min-requesters': argv.minRequesters == null ? undefined : String(argv.minRequesters)
    })

    if (ctx.json) {
      ctx.printJson(top)
      return
    }

    if (top.Items.length === 0) {
      ctx.print(top.Local ? 'No local requests counted yet' : 'No requests from peers counted yet')
      return
    }

    ctx.print(`${top.Local ? 'Requests' : 'Requesters'}\tCID\tSeen by`)

    for (const item of top.Items) {
      ctx.print(`${item.Requesters}\t${item.Cid}\t${item.Sources.join(',')}${item.RootConfirmed ? '' : ' (unconfirmed root)'}`)
    }
  })
}
