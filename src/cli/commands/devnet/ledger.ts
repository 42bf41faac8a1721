import { defaultLogger } from '@libp2p/logger'
import { untilStopped } from '../../../utils/processes.js'
import { withContext } from '../../command.js'
import { integerOption } from '../../options.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface DevnetLedgerArgs {
  dir: string
  address: string
  closeInterval: number
  stopWith?: number
}

export const devnetLedger: CommandModule<GlobalArgs, any> = {
  command: 'ledger',
  describe: 'Run the local Stellar ledger (a Horizon-compatible server) in the foreground; `devnet up` starts one',
  builder: (yargs) => yargs
    .option('dir', { type: 'string', demandOption: true, describe: 'Where the ledger keeps its state' })
    .option('address', { type: 'string', default: '/ip4/127.0.0.1/tcp/0', describe: 'Where Horizon listens' })
    .option('close-interval', integerOption('Milliseconds between ledger closes (the public network: 5000)', 1_000))
    .option('stop-with', integerOption('Stop when the process with this pid exits (tests and benchmarks pass their own)')),
  handler: withContext<DevnetLedgerArgs>(async (ctx, argv) => {
    const { LocalLedger } = await import('../../../devnet/ledger/index.js')
    const ledger = new LocalLedger({ dir: argv.dir, address: argv.address, closeInterval: argv.closeInterval, logger: defaultLogger() })
    await ledger.start()
    ctx.print(`Horizon listening on ${ledger.url}`)
    ctx.print(`network passphrase: ${ledger.ledger.passphrase}`)

    await untilStopped(ctx.signal, argv.stopWith)

    await ledger.stop()
  })
}
