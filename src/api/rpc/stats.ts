/**
 * stats/bw
 */
import { setTimeout as delay } from 'node:timers/promises'
import { Hono } from 'hono'
import { bandwidthView } from '../views/stats.js'
import { duration, flag, ndjson } from './encoding.js'
import type { RpcContext } from './index.js'

export function statsRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/bw', async (c) => {
    const poll = flag(c, 'poll', false)
    const interval = duration(c, 'interval', 1_000)
    const signal = c.req.raw.signal

    return ndjson(c, (async function * () {
      while (true) {
        yield bandwidthView(node.services.bandwidth.stat())

        if (!poll) {
          return
        }

        // ends when the client goes away
        await delay(interval, undefined, { signal })
      }
    })())
  })

  return app
}
