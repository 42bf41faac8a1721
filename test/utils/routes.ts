/**
 * Hostile hops for route tests: a node whose route protocol drops the
 * messages a test names and answers the rest as before, so that a real node
 * can be made to withhold one step
 */
import { pbStream } from '@libp2p/utils'
import * as lp from 'it-length-prefixed'
import { RouteMessage } from '../../src/payments/pb/route.js'
import { ROUTE_PROTOCOL } from '../../src/payments/routes/constants.js'
import type { RunningNode } from './payments.js'
import type { PeerId } from '@libp2p/interface'

export async function interceptRoutes (node: RunningNode, drop: (message: RouteMessage, from: PeerId) => boolean): Promise<void> {
  const libp2p = node.node.helia.libp2p
  const registrar = (libp2p as any).components.registrar
  const { handler, options } = registrar.getHandler(ROUTE_PROTOCOL)
  await libp2p.unhandle(ROUTE_PROTOCOL)
  await libp2p.handle(ROUTE_PROTOCOL, async (stream, connection) => {
    const messages = pbStream(stream).pb({ encode: RouteMessage.encode, decode: (data) => RouteMessage.decode(data.subarray()) })
    const message = await messages.read({ signal: AbortSignal.timeout(10_000) })

    if (drop(message, connection.remotePeer)) {
      stream.abort(new Error('dropped by the test'))
      return
    }

    // the message goes back in front of the stream, for the node's own handler to read
    const unwrapped = messages.unwrap().unwrap()
    unwrapped.unshift(lp.encode.single(RouteMessage.encode(message)))
    await handler(unwrapped, connection)
  }, options)
}

/** Connect every node to every other, as the DHT would have them know each other */
export async function connectAll (nodes: RunningNode[]): Promise<void> {
  for (const [i, from] of nodes.entries()) {
    for (const to of nodes.slice(i + 1)) {
      await connect(from, to)
    }
  }
}

async function connect (from: RunningNode, to: RunningNode): Promise<void> {
  const libp2p = from.node.helia.libp2p

  for (let attempt = 0; libp2p.getConnections(to.node.helia.libp2p.peerId).length === 0; attempt++) {
    try {
      await libp2p.dial(to.node.helia.libp2p.getMultiaddrs())
    } catch (err) {
      if (attempt >= 5) {
        throw err
      }

      // a node takes a few inbound connections a second from one address
      await new Promise(resolve => setTimeout(resolve, 1000))
    }
  }
}
