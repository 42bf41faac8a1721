/**
 * id, version
 */
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { Hono } from 'hono'
import { InvalidArgumentError } from '../../core/errors.js'
import { AGENT_VERSION, REPO_VERSION, VERSION } from '../../version.js'
import { args, json } from './encoding.js'
import type { RpcContext } from './index.js'
import type { PeerId } from '@libp2p/interface'

export function idRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/id', async (c) => {
    const libp2p = node.helia.libp2p
    const [arg] = args(c)

    if (arg == null || arg === libp2p.peerId.toString()) {
      return json(c, {
        ID: libp2p.peerId.toString(),
        PublicKey: Buffer.from(publicKeyToProtobuf(node.repo.privateKey.publicKey)).toString('base64'),
        Addresses: libp2p.getMultiaddrs().map(ma => ma.toString()),
        AgentVersion: AGENT_VERSION,
        Protocols: libp2p.getProtocols()
      })
    }

    let peerId: PeerId

    try {
      peerId = peerIdFromString(arg)
    } catch {
      throw new InvalidArgumentError(`"${arg}" is not a peer id`)
    }

    const peer = await libp2p.peerStore.get(peerId, { signal: c.req.raw.signal })

    return json(c, {
      ID: peerId.toString(),
      PublicKey: peerId.publicKey == null ? '' : Buffer.from(publicKeyToProtobuf(peerId.publicKey)).toString('base64'),
      Addresses: peer.addresses.map(({ multiaddr }) => multiaddr.encapsulate(`/p2p/${peerId}`).toString()),
      AgentVersion: new TextDecoder().decode(peer.metadata.get('AgentVersion') ?? new Uint8Array()),
      Protocols: peer.protocols
    })
  })

  app.post('/version', (c) => json(c, {
    Version: VERSION,
    Commit: '',
    Repo: String(REPO_VERSION),
    System: `${process.arch}/${process.platform}`,
    Golang: process.version
  }))

  return app
}
