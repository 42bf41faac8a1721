/**
 * frequency/top: what peers ask for most (or, with `local`, what the node's
 * own users asked the gateway and the RPC API for). A node without a running
 * tracker (an offline command) answers from the last snapshot.
 */
import path from 'node:path'
import { Hono } from 'hono'
import { InvalidArgumentError } from '../../core/errors.js'
import { FrequencyDisabledError, readTop } from '../../frequency/index.js'
import { popularItemView } from '../views/frequency.js'
import { flag, integer, json } from './encoding.js'
import type { RpcContext } from './index.js'
import type { FrequencyTopView } from '../views/index.js'

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

  return app
}
