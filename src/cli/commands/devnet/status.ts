import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface DevnetStatusArgs {
  dir: string
}

export const devnetStatus: CommandModule<GlobalArgs, any> = {
  command: 'status',
  describe: 'Show the nodes of a devnet and whether they run',
  builder: (yargs) => yargs.option('dir', { type: 'string', default: '.torplus-devnet', describe: 'The devnet folder' }),
  handler: withContext<DevnetStatusArgs>(async (ctx, argv) => {
    const { devnetStatus, readDevnet } = await import('../../../devnet/cluster.js')
    const { isAlive } = await import('../../../utils/processes.js')
    const nodes = await devnetStatus(argv.dir)
    const state = await readDevnet(argv.dir)
    const ledger = state?.ledger
    const names = state?.sample?.servers

    if (nodes == null) {
      throw new Error(`no devnet in ${argv.dir}: start one with \`torplus devnet up --dir ${argv.dir}\``)
    }

    if (ctx.json) {
      ctx.printJson(nodes)
      return
    }

    for (const node of nodes) {
      ctx.print(`${node.name} ${node.running ? 'running' : 'stopped'} pid ${node.pid} ${node.multiaddr} ${node.api}`)
    }

    if (ledger != null) {
      ctx.print(`ledger ${isAlive(ledger.pid) ? 'running' : 'stopped'} pid ${ledger.pid} ${ledger.url}`)
    }

    if (names != null) {
      ctx.print(`names ${isAlive(names.pids[0]) ? 'running' : 'stopped'} pid ${names.pids[0]} ${names.dns} ${names.ethRpc}`)
    }
  })
}
