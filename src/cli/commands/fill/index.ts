import { withContext } from '../../command.js'
import { byteProgress } from '../../progress.js'
import { fillLs } from './ls.js'
import type { FillEventView, FillRoundView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface FillArgs {
  share?: string
  dryRun: boolean
  maxSpend?: string
}

export const fill: CommandModule<GlobalArgs, any> = {
  command: 'fill',
  describe: 'Buy popular content with spare storage: ask peers what is wanted, merge their lists, fetch, pin and provide the best DAGs within Fill.Share of the quota, and let go of those demand left',
  builder: (yargs) => yargs
    .command([fillLs] as any)
    .option('share', { type: 'string', describe: 'Fraction of Datastore.StorageMax fill may hold, "20%" or "0.2" (Fill.Share)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'Plan, buy nothing' })
    .option('max-spend', { type: 'string', describe: 'The most this round spends, in the asset (Fill.MaxSpend)' }),
  handler: withContext<FillArgs>(async (ctx, argv) => {
    const query = { share: argv.share, 'dry-run': String(argv.dryRun), 'max-spend': argv.maxSpend }
    let bar: ReturnType<typeof byteProgress> | undefined
    let round: FillRoundView | undefined
    let shownBytes = 0

    try {
      for await (const event of ctx.stream<FillEventView | FillRoundView>('fill', query, { requireDaemon: true })) {
        if (ctx.json) {
          ctx.printJson(event)
        }

        if (event.Type === 'round') {
          round = event
        } else if (event.Type === 'planned' && !argv.dryRun) {
          bar = byteProgress('fill', Number(event.Bytes), !ctx.json)
          note(event, bar.shown || ctx.json ? undefined : ctx.print)
        } else if (event.Type === 'progress') {
          bar?.add(Number(event.Bytes) - shownBytes)
          shownBytes = Number(event.Bytes)
          bar?.note(`${event.Dags}/${event.TotalDags} DAGs, spent ${event.Spent}`)
        } else if (!ctx.json && bar?.shown !== true) {
          note(event, ctx.print)
        }
      }
    } finally {
      bar?.stop()
    }

    if (round == null) {
      throw new Error('the fill round ended before it was reported: see the daemon\'s log')
    }

    if (!ctx.json) {
      summarise(round, ctx.print)
    }
  })
}

/** Progress as lines, where no bar is drawn */
function note (event: FillEventView, print?: (line: string) => void): void {
  if (print == null) {
    return
  }

  switch (event.Type) {
    case 'collected': print(`asked ${event.Asked} peers, ${event.Lists} lists`); break
    case 'planned': print(`plan: ${event.Dags} DAGs, ${event.Bytes} bytes; ${event.Evict} to let go`); break
    case 'evicted': print(`let go ${event.Cid} (${event.Bytes} bytes)`); break
    case 'dag-done': print(`fetched ${event.Cid} (${event.Bytes} bytes, paid ${event.Spent})`); break
    case 'dag-failed': print(`failed ${event.Cid}: ${event.Reason}`); break
    default:
  }
}

function summarise (round: FillRoundView, print: (line: string) => void): void {
  if (round.DryRun) {
    print(`dry run: ${round.Lists} lists from ${round.Asked} peers, ${round.Candidates} candidates; would fetch ${round.Planned.length}:`)
    round.Planned.forEach(item => { print(`${item.Cid}\t${item.Size} bytes\t${item.Requesters} requesters\t${item.Providers} providers`) })
    return
  }

  print(`fill: ${round.Fetched.length} DAGs fetched (${round.Bytes} bytes), ${round.Evicted.length} let go, spent ${round.Spent}${round.Stopped == null ? '' : `; stopped: ${round.Stopped}`}`)
}
