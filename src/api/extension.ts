/**
 * The original's API for the browser extension, beside the payment gateway
 * (Addresses.PaymentGateway, loopback): name resolution
 * (`/api/resolver/resolve`, `/api/resolver/setupResolving`) and the book
 * (`/api/book/balance`, `/api/book/history/{commodity}/{hours}/{bins}`),
 * and the attention book (`POST /api/attention`, `/api/attention/{days}`);
 * and for the extension's popup and error page, what the node is up to
 * (`/api/status`) and what a site cost so far (`/api/site/{name}`).
 * Requests from web pages are refused (an `Origin` other than an
 * extension's), as are hosts other than loopback ones (DNS rebinding):
 * only the extension, the CLI and local tools may use it.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { MAX_REPORT_SECONDS } from '../attention/index.js'
import { isTorPlusName, routeName } from '../names/index.js'
import { historyBuckets } from '../payments/index.js'
import { attentionReportView, attentionView } from './views/attention.js'
import { siteCostView, statusView } from './views/extension.js'
import { historyBucketView } from './views/payments.js'
import { gatewayBalanceView } from './views/wallet.js'
import type { AttentionReportView, AttentionView, BookHistoryView, GatewayBalanceView, NodeStatus, ResolvedView, SiteCost, SiteCostView, StatusView } from './views/index.js'
import type { AttentionBook } from '../attention/index.js'
import type { NameResolver } from '../names/index.js'
import type { PaymentService, StellarWallet } from '../payments/index.js'
import type { AbortOptions, Logger } from '@libp2p/interface'
import type { Context } from 'hono'

export interface ExtensionApiInit {
  names: NameResolver
  attention: AttentionBook
  wallet: StellarWallet
  /** The payment asset's code: the book's one commodity */
  assetCode: string
  /** Throws PaymentsUnavailableError when payments do not run */
  payments(): PaymentService
  /** What the node is up to */
  status(options: AbortOptions): Promise<NodeStatus>
  /** What the user paid the node that publishes `site` (a TorPlus name) */
  siteCost(site: string, options: AbortOptions): Promise<SiteCost>
  log: Logger
}

/** The longest name or URL taken */
const MAX_TARGET_LENGTH = 2048

/** The most hours and bins one history answer spans */
const MAX_HOURS = 24 * 366
const MAX_BINS = 1000

const ResolveBody = z.strictObject({ hostname: z.string().min(1).max(MAX_TARGET_LENGTH) })

const AttentionBody = z.strictObject({ hostname: z.string().min(1).max(MAX_TARGET_LENGTH), seconds: z.number().int().min(1).max(MAX_REPORT_SECONDS) })

/** The most days one attention report spans */
const MAX_ATTENTION_DAYS = 366

const Header = z.string().max(MAX_TARGET_LENGTH)

/** Digits only: `1e3` or ` 5` are not a count */
const Count = (max: number): z.ZodType<number, string> => z.string().regex(/^\d{1,6}$/).transform(Number).pipe(z.number().int().min(1).max(max))

const HistoryParams = z.strictObject({
  commodity: z.string().min(1).max(12),
  hours: Count(MAX_HOURS),
  bins: Count(MAX_BINS)
})

class ExtensionApiError extends Error {
  constructor (readonly status: 400 | 403 | 404, readonly code: string, message: string) {
    super(message)
  }
}

/** An extension's origin, or none (a local tool); a web page's is refused */
const EXTENSION_ORIGIN = /^(chrome|moz|safari-web)-extension:\/\/[a-z0-9-]+$/i

const LOOPBACK_HOST = /^(127(\.\d{1,3}){3}|\[::1\]|localhost)(:\d+)?$/i

function invalid (message: string): ExtensionApiError {
  return new ExtensionApiError(400, 'ERR_INVALID_REQUEST', message)
}

/** The request's JSON body as `schema` has it, else a 400 that shows `shape` */
async function jsonBody <T> (c: Context, schema: z.ZodType<T>, shape: string): Promise<T> {
  let body: unknown

  try {
    body = await c.req.json()
  } catch {
    throw invalid(`expected a JSON body ${shape}`)
  }

  const parsed = schema.safeParse(body)

  if (!parsed.success) {
    throw invalid(`expected ${shape}`)
  }

  return parsed.data
}

async function resolvedView (names: NameResolver, target: string, signal: AbortSignal): Promise<ResolvedView> {
  if (!isTorPlusName(target)) {
    const route = routeName(target)
    // a host standing for a name the extension opened resolves as that name
    const aliased = await names.resolve(target, { signal }).catch(() => undefined)
    return aliased == null ? { resolved: false, hostname: route.kind === 'direct' ? route.host : target } : { resolved: true, hostname: aliased.onion }
  }

  return { resolved: true, hostname: (await names.resolve(target, { signal })).onion }
}

export function createExtensionApi (init: ExtensionApiInit): Hono {
  const app = new Hono().basePath('/api')

  app.use('*', async (c, next) => {
    const origin = c.req.header('Origin')

    if (origin != null && !EXTENSION_ORIGIN.test(origin)) {
      throw new ExtensionApiError(403, 'ERR_FORBIDDEN_ORIGIN', `a web page (${origin.slice(0, 100)}) may not use the node's extension API`)
    }

    if (!LOOPBACK_HOST.test(c.req.header('Host') ?? '')) {
      throw new ExtensionApiError(403, 'ERR_FORBIDDEN_HOST', 'the extension API answers only at a loopback address (127.0.0.1 or [::1])')
    }

    await next()
  })

  app.post('/resolver/resolve', async (c) => {
    const { hostname } = await jsonBody(c, ResolveBody, `{"hostname": "<name or URL>"} of at most ${MAX_TARGET_LENGTH} characters`)
    return c.json<ResolvedView>(await resolvedView(init.names, hostname, c.req.raw.signal))
  })

  app.get('/resolver/setupResolving', async (c) => {
    const domain = Header.safeParse(c.req.header('domainToResolve') ?? '')
    const key = Header.safeParse(c.req.header('domainKey') ?? '')
    const fragment = Header.safeParse(c.req.header('fragment') ?? '')

    if (!domain.success || !key.success || !fragment.success || domain.data === '') {
      throw invalid(`expected the headers domainToResolve (a host), and optionally fragment and domainKey, each at most ${MAX_TARGET_LENGTH} characters`)
    }

    const target = fragment.data === '' ? domain.data : `http://${domain.data}/#${fragment.data}`

    if (!isTorPlusName(target)) {
      return c.json<ResolvedView>({ resolved: false, hostname: domain.data })
    }

    // the browser asks the proxy for domainKey (by default the domain) without the fragment
    const host = key.data === '' ? domain.data : key.data
    const resolution = isTorPlusName(host) ? await init.names.resolve(target, { signal: c.req.raw.signal }) : await init.names.alias(host, target, { signal: c.req.raw.signal })
    return c.json<ResolvedView>({ resolved: true, hostname: resolution.onion })
  })

  app.post('/attention', async (c) => {
    const { hostname, seconds } = await jsonBody(c, AttentionBody, `{"hostname": "<TorPlus name or URL>", "seconds": <whole seconds, 1 to ${MAX_REPORT_SECONDS}>}`)
    return c.json<AttentionView>(attentionView(await init.attention.record(hostname, seconds, { signal: c.req.raw.signal })))
  })

  app.get('/attention/:days', async (c) => {
    const days = Count(MAX_ATTENTION_DAYS).safeParse(c.req.param('days'))

    if (!days.success) {
      throw invalid(`expected /api/attention/<days, 1 to ${MAX_ATTENTION_DAYS}>`)
    }

    const signal = c.req.raw.signal
    return c.json<AttentionReportView>(attentionReportView(await init.attention.report(days.data, { signal }), await init.attention.owed({ signal })))
  })

  app.get('/status', async (c) => {
    return c.json<StatusView>(statusView(await init.status({ signal: c.req.raw.signal })))
  })

  app.get('/site/:name', async (c) => {
    const name = c.req.param('name')

    if (name.length > MAX_TARGET_LENGTH || !isTorPlusName(name)) {
      throw invalid('expected /api/site/<a TorPlus name>: torplus.<domain> or <name>.eth')
    }

    return c.json<SiteCostView>(siteCostView(await init.siteCost(name, { signal: c.req.raw.signal })))
  })

  app.get('/book/balance', async (c) => {
    return c.json<GatewayBalanceView>(gatewayBalanceView(await init.wallet.balance({ signal: c.req.raw.signal })))
  })

  app.get('/book/history/:commodity/:hours/:bins', async (c) => {
    const parsed = HistoryParams.safeParse(c.req.param())

    if (!parsed.success) {
      throw invalid(`expected /api/book/history/<asset code>/<hours, 1 to ${MAX_HOURS}>/<bins, 1 to ${MAX_BINS}>`)
    }

    const { commodity, hours, bins } = parsed.data
    const code = init.assetCode

    if (commodity.toUpperCase() !== code.toUpperCase()) {
      throw new ExtensionApiError(404, 'ERR_UNKNOWN_COMMODITY', `this node is paid in ${code}, not ${commodity.slice(0, 12)}`)
    }

    const to = Date.now()
    const from = to - hours * 3_600_000
    const bucket = Math.ceil(hours * 3_600_000 / bins)
    const buckets = await historyBuckets(init.payments().events(from, to), from, bucket)
    return c.json<BookHistoryView>({ Commodity: code, From: from, Bucket: bucket, Buckets: buckets.map(historyBucketView) })
  })

  app.onError((err: any, c: Context) => {
    if (err instanceof ExtensionApiError) {
      return c.json({ Code: err.code, Message: err.message }, err.status)
    }

    const status = statusOf(err.code)

    if (status === 500) {
      init.log.error('%s failed - %e', c.req.path, err)
    }

    return c.json({ Code: err.code ?? 'ERR_INTERNAL', Message: err.message }, status)
  })

  return app
}

function statusOf (code: string | undefined): 400 | 404 | 429 | 500 | 503 | 504 {
  switch (code) {
    case 'ERR_NOT_A_TORPLUS_NAME':
    case 'ERR_INVALID_ALIAS':
    case 'ERR_INVALID_ATTENTION':
      return 400
    case 'ERR_ATTENTION_FULL':
      return 429
    case 'ERR_NAME_NOT_FOUND':
      return 404
    case 'ERR_NAME_LOOKUP_TIMEOUT':
      return 504
    case 'ERR_NAME_LOOKUP_UNAVAILABLE':
    case 'ERR_NAME_SERVER':
    case 'ERR_PAYMENTS_UNAVAILABLE':
    case 'ERR_HORIZON_UNREACHABLE':
    case 'ERR_HORIZON_NOT_CONFIGURED':
      return 503
    default:
      return 500
  }
}
