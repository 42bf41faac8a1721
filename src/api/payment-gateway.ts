/**
 * The payment gateway API (/api/v1, Addresses.PaymentGateway, loopback): the
 * balance, what each peer paid and was paid, requests and payments over time
 * in buckets (what a browser extension charts), and settlement status.
 * Everything that moves funds wants `Authorization: Bearer <token>`, the
 * token in the repo's keystore/gateway.token. Every query parameter is
 * checked; errors are JSON `{ Code, Message }`.
 */
import { timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import { z } from 'zod'
import { historyBuckets } from '../payments/index.js'
import { historyBucketView, peerView, tabView } from './views/payments.js'
import { gatewayBalanceView } from './views/wallet.js'
import type { GatewayBalanceView, HistoryView, PeersView, TabsView } from './views/index.js'
import type { PaymentService, StellarWallet } from '../payments/index.js'
import type { Logger } from '@libp2p/interface'
import type { Context } from 'hono'

export interface PaymentGatewayInit {
  wallet: StellarWallet
  /** Throws PaymentsUnavailableError when payments do not run */
  payments(): PaymentService
  token: string
  log: Logger
}

/** At most this many buckets in one history answer */
const MAX_BUCKETS = 1000

const PeerId = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{46,60}$/, { message: 'expected a peer id' })
const Time = z.coerce.number().int().nonnegative()

const HistoryQuery = z.strictObject({
  peer: PeerId.optional(),
  from: Time.optional(),
  to: Time.optional(),
  bucket: z.coerce.number().int().min(1000).default(3_600_000)
}).refine(q => (q.from ?? 0) <= (q.to ?? Date.now()), { message: 'from must not be after to' })

const SettlementsQuery = z.strictObject({
  state: z.enum(['open', 'submitting', 'settled', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100)
})

const NoQuery = z.strictObject({})

class GatewayError extends Error {
  constructor (readonly status: 400 | 401 | 503, readonly code: string, message: string) {
    super(message)
  }
}

function query<T extends z.ZodType> (c: Context, schema: T): z.infer<T> {
  const parsed = schema.safeParse(c.req.query())

  if (!parsed.success) {
    throw new GatewayError(400, 'ERR_INVALID_QUERY', parsed.error.issues.map(issue => `${issue.path.length > 0 ? issue.path.join('.') : 'query'}: ${issue.message}`).join('; '))
  }

  return parsed.data
}

export function createPaymentGateway (init: PaymentGatewayInit): Hono {
  const app = new Hono().basePath('/api/v1')
  const token = Buffer.from(init.token)

  const requireToken = (c: Context): void => {
    const given = Buffer.from(/^Bearer (.+)$/.exec(c.req.header('Authorization') ?? '')?.[1] ?? '')

    // an empty token would match an empty Bearer: it matches nothing instead
    if (token.byteLength === 0 || given.byteLength !== token.byteLength || !timingSafeEqual(given, token)) {
      throw new GatewayError(401, 'ERR_UNAUTHORIZED', 'this call moves funds: send `Authorization: Bearer <token>` with the token in the repo\'s keystore/gateway.token')
    }
  }

  app.get('/balance', async (c) => {
    query(c, NoQuery)
    return c.json<GatewayBalanceView>(gatewayBalanceView(await init.wallet.balance({ signal: c.req.raw.signal })))
  })

  app.get('/peers', (c) => {
    query(c, NoQuery)
    return c.json<PeersView>({ Peers: init.payments().peers().map(peerView) })
  })

  app.get('/history', async (c) => {
    const q = query(c, HistoryQuery)
    const to = q.to ?? Date.now()
    const from = q.from ?? to - 24 * 3_600_000

    if ((to - from) / q.bucket > MAX_BUCKETS) {
      throw new GatewayError(400, 'ERR_INVALID_QUERY', `from..to spans more than ${MAX_BUCKETS} buckets of ${q.bucket} ms: use a larger bucket`)
    }

    const buckets = await historyBuckets(init.payments().events(from, to), from, q.bucket, q.peer)
    return c.json<HistoryView>({ From: from, To: to, Bucket: q.bucket, Buckets: buckets.map(historyBucketView) })
  })

  app.get('/settlements', (c) => {
    const q = query(c, SettlementsQuery)
    return c.json<TabsView>({ Tabs: init.payments().tabs(q.state == null ? undefined : [q.state]).slice(0, q.limit).map(tabView) })
  })

  app.post('/settle', async (c) => {
    requireToken(c)
    query(c, NoQuery)
    return c.json<TabsView>({ Tabs: (await init.payments().settle({ signal: c.req.raw.signal })).map(tabView) })
  })

  app.notFound((c) => c.json({ Code: 'ERR_NOT_FOUND', Message: `no ${c.req.method} ${c.req.path}` }, 404))

  app.onError((err: any, c) => {
    if (err instanceof GatewayError) {
      return c.json({ Code: err.code, Message: err.message }, err.status)
    }

    if (err.code === 'ERR_PAYMENTS_UNAVAILABLE' || err.code === 'ERR_HORIZON_UNREACHABLE' || err.code === 'ERR_HORIZON_NOT_CONFIGURED') {
      return c.json({ Code: err.code, Message: err.message }, 503)
    }

    init.log.error('%s failed - %e', c.req.path, err)
    return c.json({ Code: err.code ?? 'ERR_INTERNAL', Message: err.message }, 500)
  })

  return app
}
