import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface DevnetDownArgs {
  dir: string
}

export const devnetDown: CommandModule<GlobalArgs, any> = {
  command: 'down',
  describe: 'Stop every process a devnet started',
  builder: (yargs) => yargs.option('dir', { type: 'string', default: '.torplus-devnet', describe: 'The devnet folder' }),
  handler: withContext<DevnetDownArgs>(async (ctx, argv) => {
    const { devnetDown } = await import('../../../devnet/cluster.js')
    const stopped = await devnetDown(argv.dir)
    ctx.print(`stopped ${stopped} processes`)
  })
}
