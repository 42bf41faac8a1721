import { swarmConnect } from './connect.js'
import { swarmDisconnect } from './disconnect.js'
import { swarmPeers } from './peers.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

export const swarm: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'swarm <command>',
  describe: 'Peers and connections',
  builder: (yargs) => yargs.command([swarmPeers, swarmConnect, swarmDisconnect] as any).demandCommand(1),
  handler: () => {}
}
