/**
 * The daemon's HTTP side: the RPC API with metrics on Addresses.API, the
 * trustless gateway on Addresses.Gateway and the payment gateway API on
 * Addresses.PaymentGateway (with the extension's API beside it), all on loopback unless the config explicitly
 * allows otherwise
 */
import { Hono } from 'hono'
import { toApiSettings } from '../config/index.js'
import { serve } from '../http/index.js'
import { loadOrCreateGatewayToken } from '../repo/index.js'
import { createExtensionApi } from './extension.js'
import { createGateway } from './gateway.js'
import { metricsRoutes } from './metrics.js'
import { nodeStatus, siteCost } from './node-status.js'
import { createPaymentGateway } from './payment-gateway.js'
import { requirePayments } from './payments.js'
import { startProxy } from './proxy.js'
import { createRpcApp } from './rpc/index.js'
import type { ProxyServer } from './proxy.js'
import type { HttpServer } from '../http/index.js'
import type { TorPlusNode } from '../node.js'

export { createRpcApp } from './rpc/index.js'
export type { RpcContext } from './rpc/index.js'
export type * from './views/index.js'

export interface ApiServersInit {
  node: TorPlusNode
  shutdown(): void
  /** Serve the gateway too; the CLI's in-process API does not */
  gateway?: boolean
  /** Override Addresses.API, e.g. port 0 for an in-process API */
  apiAddress?: string
}

export interface ApiServers {
  api: HttpServer
  gateway?: HttpServer
  paymentGateway?: HttpServer
  /** The proxy a browser points at, with Addresses.Proxy */
  proxy?: ProxyServer
  close(): Promise<void>
}

export async function startApiServers (init: ApiServersInit): Promise<ApiServers> {
  const { node } = init
  const settings = toApiSettings(node.repo.config)
  const log = node.helia.logger.forComponent('torplus:api')
  const closers: Array<() => Promise<void>> = []
  // started last: the extension API reports its address once it listens
  let proxy: ProxyServer | undefined

  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) {
      await closer()
    }

    closers.length = 0
  }

  try {
    const apiApp = new Hono()
    apiApp.route('/', metricsRoutes(node))
    apiApp.route('/', createRpcApp({ node, log, shutdown: init.shutdown }))

    const api = await serve(apiApp, init.apiAddress ?? settings.api, {
      what: 'RPC API',
      key: 'Addresses.API',
      allowNonLoopback: settings.allowNonLoopback,
      log
    })
    closers.push(api.close)

    if (init.gateway === false) {
      return { api, close }
    }

    const gatewayApp = await createGateway({ node, log: node.helia.logger.forComponent('torplus:gateway'), retrievalTimeout: settings.retrievalTimeout })
    closers.push(gatewayApp.stop)

    const gateway = await serve(gatewayApp.app, settings.gateway, {
      what: 'gateway',
      key: 'Addresses.Gateway',
      allowNonLoopback: settings.allowNonLoopback,
      log
    })
    closers.push(gateway.close)

    const paymentGatewayApp = new Hono()
    paymentGatewayApp.route('/', createPaymentGateway({
      wallet: node.wallet,
      payments: () => requirePayments(node),
      token: await loadOrCreateGatewayToken(node.repo.path),
      log: node.helia.logger.forComponent('torplus:payments:gateway')
    }))
    paymentGatewayApp.route('/', createExtensionApi({
      names: node.services.names,
      attention: node.services.attention,
      wallet: node.wallet,
      assetCode: node.repo.config.Payments.Asset.Code,
      payments: () => requirePayments(node),
      status: async (options) => nodeStatus(node, proxy?.address, options),
      siteCost: async (site, options) => siteCost(node, site, options),
      log: node.helia.logger.forComponent('torplus:api:extension')
    }))
    paymentGatewayApp.notFound((c) => c.json({ Code: 'ERR_NOT_FOUND', Message: `no ${c.req.method} ${c.req.path}` }, 404))

    const paymentGateway = await serve(paymentGatewayApp, settings.paymentGateway, {
      what: 'payment gateway',
      key: 'Addresses.PaymentGateway',
      allowNonLoopback: settings.allowNonLoopback,
      log
    })
    closers.push(paymentGateway.close)

    proxy = settings.proxy == null ? undefined : await startProxy(node, settings)
    if (proxy != null) {
      closers.push(proxy.close)
    }

    return { api, gateway, paymentGateway, proxy, close }
  } catch (err) {
    await close()
    throw err
  }
}
