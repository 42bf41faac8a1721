import { peerIdFromString } from '@libp2p/peer-id'
import { withContext } from '../command.js'
import type { GlobalArgs } from '../context.js'
import type { CommandModule } from 'yargs'

interface IdArgs {
  peer?: string
}

export const id: CommandModule<GlobalArgs, any> = {
  command: 'id [peer]',
  describe: 'Show the identity of this node, or of a known peer',
  builder: (yargs) => yargs.positional('peer', { type: 'string', describe: 'A peer id' }),
  handler: withContext<IdArgs>(async (ctx, argv) => {
    const client = await ctx.client()
    const peerId = argv.peer == null ? undefined : parsePeerId(argv.peer)
    const result = await client.id({ peerId, signal: ctx.signal })

    // Kubo prints id as JSON in both encodings
    process.stdout.write(JSON.stringify({
      ID: result.id.toString(),
      PublicKey: result.publicKey,
      Addresses: (result.addresses ?? []).map(ma => ma.toString()),
      AgentVersion: result.agentVersion,
      Protocols: result.protocols
    }, null, ctx.json ? undefined : 2) + '\n')
  })
}

function parsePeerId (text: string): ReturnType<typeof peerIdFromString> {
  try {
    return peerIdFromString(text)
  } catch {
    throw new Error(`"${text}" is not a peer id: expected 12D3KooW... or Qm...`)
  }
}
