import { withContext } from '../../command.js'
import { printTabs } from './tabs.js'
import type { TabsView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const paymentsSettle: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'settle',
  describe: 'Submit every tab that holds a payment to the ledger now',
  handler: withContext(async (ctx) => {
    const tabs = await ctx.call<TabsView>('payments/settle', {}, { requireDaemon: true })

    if (ctx.json) {
      ctx.printJson(tabs)
    } else if (tabs.Tabs.length === 0) {
      ctx.print('no tab holds a payment')
    } else {
      printTabs(line => { ctx.print(line) }, tabs)
    }
  })
}
