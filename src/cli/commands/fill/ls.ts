import { withContext } from '../../command.js'
import { integerOption } from '../../options.js'
import type { FillHistoryView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const fillLs: CommandModule<GlobalArgs, any> = {
  command: 'ls',
  describe: 'Past fill rounds, newest first: what each fetched, let go and spent',
  builder: (yargs) => yargs.option('n', integerOption('How many rounds', 20)),
  handler: withContext<{ n: number }>(async (ctx, argv) => {
    const { Rounds } = await ctx.call<FillHistoryView>('fill/ls', { n: String(argv.n) })

    if (ctx.json) {
      ctx.printJson({ Rounds })
      return
    }

    if (Rounds.length === 0) {
      ctx.print('No fill rounds yet')
      return
    }

    ctx.print('Started\tDAGs\tBytes\tLet go\tSpent\tLists')

    for (const round of Rounds) {
      ctx.print([new Date(round.StartedAt).toISOString(), `${round.Fetched.length}${round.DryRun ? ' (dry run)' : ''}`, round.Bytes, round.Evicted.length, round.Spent, `${round.Lists}/${round.Asked}`].join('\t'))
    }
  })
}
