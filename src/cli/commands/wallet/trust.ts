import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const walletTrust: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'trust',
  describe: 'Open a trustline from the node\'s account to the payment asset (Payments.Asset)',
  handler: withContext(async (ctx) => {
    const result = await ctx.call<{ Hash: string }>('wallet/trust')

    if (ctx.json) {
      ctx.printJson(result)
    } else {
      ctx.print(`trustline open, transaction ${result.Hash}`)
    }
  })
}
