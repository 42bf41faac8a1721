/**
 * swarm/peers, swarm/connect, swarm/disconnect
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { Hono } from 'hono'
import { InvalidArgumentError } from '../../core/errors.js'
import { args, json } from './encoding.js'
import type { RpcContext } from './index.js'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Context } from 'hono'

export function swarmRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/peers', (c) => {
    const connections = node.helia.libp2p.getConnections()

    return json(c, {
      Peers: connections.map(connection => ({
        Addr: connection.remoteAddr.decapsulateCode(421).toString(),
        Peer: connection.remotePeer.toString(),
        Direction: connection.direction === 'inbound' ? 1 : 2,
        Streams: connection.streams.map(stream => ({ Protocol: stream.protocol ?? '' }))
      }))
    })
  })

  app.post('/connect', async (c) => {
    const strings: string[] = []

    for (const { target } of peerAddresses(c)) {
      const connection = await node.helia.libp2p.dial(target, { signal: c.req.raw.signal })
      strings.push(`connect ${connection.remotePeer} success`)
    }

    return json(c, { Strings: strings })
  })

  app.post('/disconnect', async (c) => {
    const strings: string[] = []

    for (const { peer } of peerAddresses(c)) {
      if (node.helia.libp2p.getConnections(peer).length === 0) {
        throw new InvalidArgumentError(`not connected to ${peer}`)
      }

      await node.helia.libp2p.hangUp(peer, { signal: c.req.raw.signal })
      strings.push(`disconnect ${peer} success`)
    }

    return json(c, { Strings: strings })
  })

  return app
}

/** The request's multiaddrs, each ending in a valid /p2p/<peer id> */
function peerAddresses (c: Context): Array<{ target: Multiaddr, peer: PeerId }> {
  const addresses = args(c)

  if (addresses.length === 0) {
    throw new InvalidArgumentError('argument "address" is required: a multiaddr ending in /p2p/<peer id>')
  }

  return addresses.map(address => {
    let target: Multiaddr

    try {
      target = multiaddr(address)
    } catch {
      throw new InvalidArgumentError(`"${address}" is not a multiaddr`)
    }

    const p2p = target.getComponents().find(component => component.name === 'p2p')

    if (p2p?.value == null) {
      throw new InvalidArgumentError(`${target} has no /p2p/<peer id> part`)
    }

    try {
      return { target, peer: peerIdFromString(p2p.value) }
    } catch {
      throw new InvalidArgumentError(`${target} does not end in a valid peer id`)
    }
  })
}
