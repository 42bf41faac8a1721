import { withContext } from '../../command.js'
import { integerOption } from '../../options.js'
import { attentionPay } from './pay.js'
import type { AttentionReportView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface AttentionArgs {
  days: number
}

/** 3725 → "1h 2m 5s" */
function duration (seconds: number): string {
  const parts = [[Math.floor(seconds / 3600), 'h'], [Math.floor(seconds / 60) % 60, 'm'], [seconds % 60, 's']] as const
  return parts.filter(([value], i) => value > 0 || (i === 2 && seconds === 0)).map(([value, unit]) => `${value}${unit}`).join(' ')
}

export const attention: CommandModule<GlobalArgs, any> = {
  command: 'attention',
  describe: 'Time spent on each TorPlus site, as the browser extension reported it (POST /api/attention on the payment gateway), and what their owners are owed for it',
  builder: (yargs) => yargs
    .command([attentionPay] as any)
    .option('days', integerOption('Over the last N days, today included', 7)),
  handler: withContext<AttentionArgs>(async (ctx, argv) => {
    const report = await ctx.call<AttentionReportView>('attention', { days: String(argv.days) })

    if (ctx.json) {
      ctx.printJson(report)
      return
    }

    if (report.Sites.length === 0) {
      ctx.print(`no attention recorded in the last ${argv.days} days`)
    }

    for (const site of report.Sites) {
      ctx.print(`${duration(site.Seconds).padEnd(12)} ${site.Site}`)
    }

    if (report.Owed.length > 0) {
      ctx.print('\nowed to site owners for attention, in all:')
    }

    for (const due of report.Owed) {
      ctx.print(`${due.Owed.padEnd(12)} ${due.Site}  (${due.Paid} paid)`)
    }
  })
}
