import { withContext } from '../../command.js'
import type { TabsView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface TabsArgs {
  state?: string
}

export function printTabs (print: (line: string) => void, list: TabsView): void {
  for (const tab of list.Tabs) {
    const outcome = tab.Result == null ? '' : ` (${tab.Result})`
    print(`${tab.State} ${tab.Total} from ${tab.Peer} on ${tab.Channel}/${tab.Sequence}${tab.Hash == null ? '' : ` tx ${tab.Hash}`}${outcome}`)
  }
}

export const paymentsTabs: CommandModule<GlobalArgs, any> = {
  command: 'tabs',
  describe: 'Settlement tabs, newest first: open, submitting, settled or failed',
  builder: (yargs) => yargs.option('state', { type: 'string', choices: ['open', 'submitting', 'settled', 'failed'], describe: 'Only tabs in this state' }),
  handler: withContext<TabsArgs>(async (ctx, argv) => {
    const tabs = await ctx.call<TabsView>('payments/tabs', argv.state == null ? {} : { state: argv.state }, { requireDaemon: true })

    if (ctx.json) {
      ctx.printJson(tabs)
    } else {
      printTabs(line => { ctx.print(line) }, tabs)
    }
  })
}
