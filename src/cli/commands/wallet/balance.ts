import { withContext } from '../../command.js'
import type { BalanceView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const walletBalance: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'balance',
  describe: 'Lumens and payment-asset balance of the node\'s Stellar account',
  handler: withContext(async (ctx) => {
    const balance = await ctx.call<BalanceView>('wallet/balance')

    if (ctx.json) {
      ctx.printJson(balance)
      return
    }

    if (!balance.Funded) {
      ctx.print(`${balance.Address} does not exist on the ${balance.Network} network yet: it needs at least 2 XLM`)
      return
    }

    ctx.print(`XLM ${balance.Native}`)
    ctx.print(balance.AssetBalance == null
      ? `${balance.Asset.Code} no trustline: run \`torplus wallet trust\``
      : `${balance.Asset.Code} ${balance.AssetBalance}${balance.Authorized ? '' : ' (not authorized by the issuer)'}`)
  })
}
