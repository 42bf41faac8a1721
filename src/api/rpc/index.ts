/**
 * The RPC API: a Kubo-compatible /api/v0 subset, POST only, refusing foreign
 * origins as Kubo does
 */
import { Hono } from 'hono'
import { attentionRoutes } from './attention.js'
import { bitswapRoutes } from './bitswap.js'
import { configRoutes } from './config.js'
import { ErrorCode, kuboError, toJson } from './encoding.js'
import { filesRoutes } from './files.js'
import { fillRoutes } from './fill.js'
import { frequencyRoutes } from './frequency.js'
import { idRoutes } from './id.js'
import { namesRoutes } from './names.js'
import { paymentRoutes, relayRoutes } from './payments.js'
import { pinRoutes } from './pin.js'
import { publishRoutes } from './publish.js'
import { repoRoutes } from './repo.js'
import { routingRoutes } from './routing.js'
import { statsRoutes } from './stats.js'
import { swarmRoutes } from './swarm.js'
import { walletRoutes } from './wallet.js'
import type { TorPlusNode } from '../../node.js'
import type { Logger } from '@libp2p/interface'

export interface RpcContext {
  node: TorPlusNode
  log: Logger
  /** Ask the daemon to stop; answers first */
  shutdown(): void
}

/** The client's fault is a 4xx: a request that is wrong, or more than the repo may hold */
function statusOf (err: any): 400 | 413 | 500 {
  if (err.code === 'ERR_STORAGE_QUOTA_EXCEEDED') {
    return 413
  }

  return err.badRequest === true ? 400 : 500
}

export function createRpcApp (ctx: RpcContext): Hono {
  const app = new Hono()

  app.use('/api/v0/*', async (c, next) => {
    if (c.req.method !== 'POST') {
      return c.body(toJson(kuboError(`${c.req.method} not allowed: the RPC API takes POST only`, ErrorCode.Client)), 405, {
        Allow: 'OPTIONS, POST',
        'Content-Type': 'application/json'
      })
    }

    // a browser page on another origin must not drive the node (CSRF)
    const origin = c.req.header('Origin')

    if (origin != null && origin !== new URL(c.req.url).origin) {
      return c.body(toJson(kuboError(`origin ${origin} is not allowed to use the RPC API`, ErrorCode.Client)), 403, {
        'Content-Type': 'application/json'
      })
    }

    await next()
  })

  const v0 = new Hono()
  v0.route('/', idRoutes(ctx))
  v0.route('/', filesRoutes(ctx))
  v0.route('/bitswap', bitswapRoutes(ctx))
  v0.route('/frequency', frequencyRoutes(ctx))
  v0.route('/fill', fillRoutes(ctx))
  v0.route('/pin', pinRoutes(ctx))
  v0.route('/repo', repoRoutes(ctx))
  v0.route('/routing', routingRoutes(ctx))
  v0.route('/stats', statsRoutes(ctx))
  v0.route('/swarm', swarmRoutes(ctx))
  v0.route('/wallet', walletRoutes(ctx))
  v0.route('/payments', paymentRoutes(ctx))
  v0.route('/relay', relayRoutes(ctx))
  v0.route('/names', namesRoutes(ctx))
  v0.route('/attention', attentionRoutes(ctx))
  v0.route('/publish', publishRoutes(ctx))
  v0.route('/', configRoutes(ctx))
  v0.post('/shutdown', (c) => {
    setImmediate(() => { ctx.shutdown() })
    return c.body(null, 200)
  })
  app.route('/api/v0', v0)

  app.notFound((c) => c.body(toJson(kuboError(`unknown command "${c.req.path}"`, ErrorCode.Client)), 404, {
    'Content-Type': 'application/json'
  }))

  app.onError((err: any, c) => {
    const status = statusOf(err)

    if (status >= 500) {
      ctx.log.error('%s failed - %e', c.req.path, err)
    }

    return c.body(toJson(kuboError(err.message, status < 500 ? ErrorCode.Client : ErrorCode.Normal)), status, {
      'Content-Type': 'application/json'
    })
  })

  return app
}
