/**
 * frequency/top: what peers ask for most (or, with `local`, what the node's
 * own users asked the gateway and the RPC API for). A node without a running
 * tracker (an offline command) answers from the last snapshot.
 * frequency/ask: a peer's list, over /torplus/popular/1.0.0.
 */
import path from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { Hono } from 'hono'
import { InvalidArgumentError } from '../../core/errors.js'
import { DEFAULT_PUBLISH_LIMIT, FrequencyDisabledError, FrequencyOfflineError, readTop } from '../../frequency/index.js'
import { peerListView, popularItemView } from '../views/frequency.js'
import { flag, integer, json, requiredArg } from './encoding.js'
import type { RpcContext } from './index.js'
import type { FrequencyTopView, PeerListView } from '../views/index.js'

/** Most items one answer lists: the top-K's own limit */
const MAX_TOP = 1_000_000

export function frequencyRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/top', async (c) => {
    const limit = integer(c, 'n') ?? 10
    const local = flag(c, 'local', false)
    const minRequesters = integer(c, 'min-requesters')

    if (limit < 1 || limit > MAX_TOP) {
      throw new InvalidArgumentError(`option "n" must be from 1 to ${MAX_TOP}, not ${limit}`)
    }

    if (!node.repo.config.Frequency.Enabled) {
      throw new FrequencyDisabledError()
    }

    const options = { limit, local, minRequesters }
    const tracker = node.services.frequency
    const items = tracker == null ? await readTop(path.join(node.repo.path, 'frequency'), options) : tracker.top(options)

    return json<FrequencyTopView>(c, { Local: local, Items: items.map(popularItemView) })
  })

  app.post('/ask', async (c) => {
    const id = requiredArg(c, 'peer')
    const limit = integer(c, 'n') ?? DEFAULT_PUBLISH_LIMIT
    let peer

    try {
      peer = peerIdFromString(id)
    } catch {
      throw new InvalidArgumentError(`"${id}" is not a peer id`)
    }

    if (limit < 1 || limit > DEFAULT_PUBLISH_LIMIT) {
      throw new InvalidArgumentError(`option "n" must be from 1 to ${DEFAULT_PUBLISH_LIMIT}, not ${limit}`)
    }

    const popular = node.services.popular

    if (popular == null) {
      throw node.repo.config.Frequency.Enabled ? new FrequencyOfflineError() : new FrequencyDisabledError()
    }

    const list = await popular.ask(peer, { limit, signal: c.req.raw.signal })
    return json<PeerListView>(c, peerListView(id, list))
  })

  return app
}
