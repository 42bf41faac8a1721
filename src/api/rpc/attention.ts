/**
 * attention: seconds spent on each TorPlus site over the last `days` days,
 * as the browser extension reported them
 */
import { Hono } from 'hono'
import { InvalidArgumentError } from '../../core/errors.js'
import { attentionReportView } from '../views/attention.js'
import { integer, json } from './encoding.js'
import type { RpcContext } from './index.js'
import type { AttentionReportView } from '../views/index.js'

/** The most days one report spans */
const MAX_DAYS = 366

export function attentionRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/', async (c) => {
    const days = integer(c, 'days') ?? 7

    if (days < 1 || days > MAX_DAYS) {
      throw new InvalidArgumentError(`option "days" must be 1 to ${MAX_DAYS}`)
    }

    return json<AttentionReportView>(c, attentionReportView(await node.services.attention.report(days, { signal: c.req.raw.signal })))
  })

  return app
}
