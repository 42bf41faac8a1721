import { withContext } from '../../command.js'
import type { BitswapStatView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const bitswapStat: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'stat',
  describe: 'Bytes sent and received over bitswap, peers, and the payments for them',
  handler: withContext(async (ctx) => {
    const stat = await ctx.call<BitswapStatView>('bitswap/stat')

    if (ctx.json) {
      ctx.printJson(stat)
      return
    }

    ctx.print('bitswap status')
    ctx.print(`\tdata received: ${stat.DataReceived}`)
    ctx.print(`\tdata sent: ${stat.DataSent}`)
    ctx.print(`\tpayments received: ${stat.PaymentsReceived}`)
    ctx.print(`\tpayments made: ${stat.PaymentsMade}`)
    ctx.print(`\tthrottled peers: ${stat.Throttled}`)
    ctx.print(`\trefused peers: ${stat.Refused}`)
    ctx.print(`\tpartners [${stat.Peers.length}]`)
    stat.Peers.forEach(peer => { ctx.print(`\t\t${peer}`) })
  })
}
