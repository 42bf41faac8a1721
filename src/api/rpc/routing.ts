/**
 * routing/findprovs, routing/findpeer, routing/provide: DHT queries streamed
 * as Kubo's query events. A query ends at Routing.QueryTimeout with what it
 * found, as Kubo's does.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { anySignal } from 'any-signal'
import { Hono } from 'hono'
import { CID } from 'multiformats/cid'
import { toRequestSettings } from '../../config/index.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { NotHeldError, PeerNotFoundError, RoutingDisabledError, toKuboQueryEvent } from '../../routing/index.js'
import { args, integer, ndjson, requiredArg } from './encoding.js'
import type { RpcContext } from './index.js'
import type { TorPlusNode } from '../../node.js'
import type { KuboQueryEvent } from '../../routing/index.js'
import type { PeerId } from '@libp2p/interface'
import type { KadDHT, QueryEvent } from '@libp2p/kad-dht'
import type { Context } from 'hono'

const DEFAULT_NUM_PROVIDERS = 20

export function routingRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/findprovs', async (c) => {
    const cid = parseCid(requiredArg(c, 'key'))
    const wanted = integer(c, 'num-providers') ?? DEFAULT_NUM_PROVIDERS

    if (wanted < 1) {
      throw new InvalidArgumentError('option "num-providers" must be at least 1')
    }

    const dht = requireDht(node)

    return ndjson(c, query(node, c, async function * (signal) {
      const seen = new Set<string>()

      for await (const event of dht.findProviders(cid, { signal })) {
        if (event.name !== 'PROVIDER') {
          yield event
          continue
        }

        // the same provider arrives from several peers
        const providers = event.providers.filter(peer => {
          const key = peer.id.toString()
          const fresh = !seen.has(key)
          seen.add(key)
          return fresh
        })

        if (providers.length > 0) {
          yield { ...event, providers }
        }

        if (seen.size >= wanted) {
          return
        }
      }
    }))
  })

  app.post('/findpeer', async (c) => {
    const peerId = parsePeerId(requiredArg(c, 'peerID'))
    const dht = requireDht(node)

    return ndjson(c, query(node, c, async function * (signal) {
      for await (const event of dht.findPeer(peerId, { signal })) {
        yield event

        if (event.name === 'FINAL_PEER' && event.peer.id.equals(peerId)) {
          return
        }
      }

      throw new PeerNotFoundError(peerId.toString())
    }))
  })

  app.post('/provide', async (c) => {
    const cids = args(c).map(parseCid)

    if (cids.length === 0) {
      throw new InvalidArgumentError('argument "key" is required')
    }

    const dht = requireDht(node)

    for (const cid of cids) {
      if (!(await node.helia.blockstore.has(cid, { signal: c.req.raw.signal }))) {
        throw new NotHeldError(cid.toString())
      }
    }

    return ndjson(c, query(node, c, async function * (signal) {
      for (const cid of cids) {
        yield * dht.provide(cid, { signal })
      }
    }))
  })

  return app
}

/**
 * Run a query under the request's signal and Routing.QueryTimeout; reaching
 * the timeout ends the stream without an error
 */
async function * query (node: TorPlusNode, c: Context, run: (signal: AbortSignal) => AsyncIterable<QueryEvent>): AsyncGenerator<KuboQueryEvent> {
  const timeout = AbortSignal.timeout(toRequestSettings(node.repo.config).queryTimeout)
  const signal = anySignal([c.req.raw.signal, timeout])

  try {
    for await (const event of run(signal)) {
      const kubo = toKuboQueryEvent(event)

      if (kubo != null) {
        yield kubo
      }
    }
  } catch (err) {
    if (!timeout.aborted || c.req.raw.signal.aborted) {
      throw err
    }
  } finally {
    signal.clear()
  }
}

function requireDht (node: TorPlusNode): KadDHT {
  const dht = node.helia.libp2p.services.dht

  if (dht == null) {
    throw new RoutingDisabledError(node.offline ? 'no daemon is running' : 'Routing.Type is "none"')
  }

  return dht
}

function parseCid (text: string): CID {
  try {
    return CID.parse(text)
  } catch {
    throw new InvalidArgumentError(`"${text}" is not a CID`)
  }
}

function parsePeerId (text: string): PeerId {
  try {
    return peerIdFromString(text)
  } catch {
    throw new InvalidArgumentError(`"${text}" is not a peer id`)
  }
}
