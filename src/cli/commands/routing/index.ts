import { routingFindPeer } from './findpeer.js'
import { routingFindProvs } from './findprovs.js'
import { routingProvide } from './provide.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const routing: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'routing <command>',
  describe: 'Find providers and peers in the DHT, and announce content',
  builder: (yargs) => yargs.command([routingFindProvs, routingFindPeer, routingProvide] as any).demandCommand(1),
  handler: () => {}
}
