import { formatByteSize } from '../../../config/index.js'
import { withContext } from '../../command.js'
import { parseDurationArg } from '../../options.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface StatsBwArgs {
  poll: boolean
  interval: string
}

export const statsBw: CommandModule<GlobalArgs, any> = {
  command: 'bw',
  describe: 'Show bytes in and out over libp2p, with rates',
  builder: (yargs) => yargs
    .option('poll', { alias: 'p', type: 'boolean', default: false, describe: 'Print again every interval until interrupted' })
    .option('interval', { alias: 'i', type: 'string', default: '1s', describe: 'Polling interval' }),
  handler: withContext<StatsBwArgs>(async (ctx, argv) => {
    const client = await ctx.client()
    const interval = parseDurationArg('--interval', argv.interval, 's')

    try {
      for await (const stat of client.stats.bw({ poll: argv.poll, interval: `${interval}ms`, signal: ctx.signal })) {
        if (ctx.json) {
          ctx.printJson({ TotalIn: stat.totalIn, TotalOut: stat.totalOut, RateIn: stat.rateIn, RateOut: stat.rateOut })
          continue
        }

        ctx.print('Bandwidth')
        ctx.print(`TotalIn: ${formatByteSize(stat.totalIn)}`)
        ctx.print(`TotalOut: ${formatByteSize(stat.totalOut)}`)
        ctx.print(`RateIn: ${formatByteSize(Math.round(stat.rateIn))}/s`)
        ctx.print(`RateOut: ${formatByteSize(Math.round(stat.rateOut))}/s`)
      }
    } catch (err) {
      // polling ends with Ctrl-C, which is not a failure
      if (!(argv.poll && ctx.signal.aborted)) {
        throw err
      }
    }
  })
}
