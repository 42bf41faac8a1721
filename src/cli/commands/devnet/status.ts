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
    const { devnetStatus } = await import('../../../devnet/cluster.js')
    const nodes = await devnetStatus(argv.dir)

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
  })
}
