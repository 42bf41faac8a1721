import { untilStopped } from '../../../utils/processes.js'
import { withContext } from '../../command.js'
import { integerOption } from '../../options.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface DevnetNamesArgs {
  onion: string
  stopWith?: number
}

export const devnetNames: CommandModule<GlobalArgs, any> = {
  command: 'names',
  describe: 'Run the devnet\'s name servers in the foreground: dnsmasq with the TXT record of torplus.site.devnet.test and a local Ethereum chain with ENS and site.torplus.eth, both naming --onion; `devnet up --sample` starts them',
  builder: (yargs) => yargs
    .option('onion', { type: 'string', demandOption: true, describe: 'The onion id (56 characters) the names stand for' })
    .option('stop-with', integerOption('Stop when the process with this pid exits (tests and benchmarks pass their own)')),
  handler: withContext<DevnetNamesArgs>(async (ctx, argv) => {
    if (!/^[a-z2-7]{56}$/.test(argv.onion)) {
      throw new Error('--onion must be an onion id: 56 characters a-z and 2-7')
    }

    const { startDnsmasq } = await import('../../../devnet/dnsmasq.js')
    const { startEnsChain } = await import('../../../devnet/ens-chain.js')
    const { SAMPLE_DNS_NAME, SAMPLE_ENS_NAME } = await import('../../../devnet/constants.js')
    const record = `torplus=${argv.onion}.onion`
    const dns = await startDnsmasq(SAMPLE_DNS_NAME.split('.').slice(-2).join('.'), [{ name: SAMPLE_DNS_NAME, strings: [record] }])

    try {
      const chain = await startEnsChain()

      try {
        await chain.setName(SAMPLE_ENS_NAME, { text: `${argv.onion}.onion` })
        ctx.print(`DNS listening on ${dns.url} (pid ${dns.pid})`)
        ctx.print(`Ethereum JSON-RPC listening on ${chain.rpc}`)
        ctx.print(`ENS registry ${chain.registry}`)

        await untilStopped(ctx.signal, argv.stopWith)
      } finally {
        await chain.stop()
      }
    } finally {
      await dns.stop()
    }
  })
}
