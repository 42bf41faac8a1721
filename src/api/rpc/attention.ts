/**
 * attention: seconds spent on each TorPlus site over the last `days` days,
 * as the browser extension reported them, and what their owners are owed
 * for it; attention/pay: pay them what is owed now
 */
import { Hono } from 'hono'
import { InvalidArgumentError } from '../../core/errors.js'
import { attentionPaymentsView, attentionReportView } from '../views/attention.js'
import { integer, json } from './encoding.js'
import type { RpcContext } from './index.js'
import type { AttentionPaymentsView, AttentionReportView } from '../views/index.js'

/** The most days one report spans */
const MAX_DAYS = 366

export function attentionRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/', async (c) => {
    const days = integer(c, 'days') ?? 7

    if (days < 1 || days > MAX_DAYS) {
      throw new InvalidArgumentError(`option "days" must be 1 to ${MAX_DAYS}`)
    }

    const { attention } = node.services
    const signal = c.req.raw.signal
    return json<AttentionReportView>(c, attentionReportView(await attention.report(days, { signal }), await attention.owed({ signal })))
  })

  app.post('/pay', async (c) => {
    return json<AttentionPaymentsView>(c, attentionPaymentsView(await node.services.attention.pay({ signal: c.req.raw.signal })))
  })

  return app
}
