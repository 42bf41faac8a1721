import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const walletAddress: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'address',
  describe: 'The node\'s Stellar account address',
  handler: withContext(async (ctx) => {
    const result = await ctx.call<{ Address: string, Network: string }>('wallet/address')

    if (ctx.json) {
      ctx.printJson(result)
    } else {
      ctx.print(result.Address)
    }
  })
}
