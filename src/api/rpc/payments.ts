/**
 * payments/bill, payments/peers, payments/tabs, payments/settle,
 * payments/routes and relay/stat: the payment service, for the node's
 * operator
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { Hono } from 'hono'
import { InvalidArgumentError } from '../../core/errors.js'
import { requirePayments } from '../payments.js'
import { billView, peerView, tabView } from '../views/payments.js'
import { relayStatView, routesView } from '../views/routes.js'
import { integer, json, requiredArg } from './encoding.js'
import type { RpcContext } from './index.js'
import type { TabState } from '../../payments/index.js'
import type { BillView, PeersView, RelayStatView, RoutesView, TabsView } from '../views/index.js'

const STATES: TabState[] = ['open', 'submitting', 'settled', 'failed']

export function paymentRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/bill', async (c) => {
    let peer

    try {
      peer = peerIdFromString(requiredArg(c, 'peer'))
    } catch (err: any) {
      throw err instanceof InvalidArgumentError ? err : new InvalidArgumentError(`"${c.req.query('arg')}" is not a peer id`)
    }

    const upTo = integer(c, 'up-to')
    // bytes served free are left out of the bill, as the metering leaves them out
    const freeBytes = node.services.creditGate?.policy.freeBytes(peer.toString())
    return json<BillView>(c, billView(await requirePayments(node).bill(peer, { rangeEnd: upTo == null ? undefined : BigInt(upTo), freeBytes, signal: c.req.raw.signal })))
  })

  app.post('/peers', (c) => json<PeersView>(c, { Peers: requirePayments(node).peers().map(peerView) }))

  app.post('/tabs', (c) => {
    const state = c.req.query('state')

    if (state != null && !STATES.includes(state as TabState)) {
      throw new InvalidArgumentError(`option "state" must be one of ${STATES.join(', ')}`)
    }

    return json<TabsView>(c, { Tabs: requirePayments(node).tabs(state == null ? undefined : [state as TabState]).map(tabView) })
  })

  app.post('/settle', async (c) => json<TabsView>(c, { Tabs: (await requirePayments(node).settle({ signal: c.req.raw.signal })).map(tabView) }))

  app.post('/routes', (c) => json<RoutesView>(c, routesView(requirePayments(node).routes())))

  return app
}

/** relay/stat: what this node relays for others */
export function relayRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()
  app.post('/stat', (c) => json<RelayStatView>(c, relayStatView(requirePayments(node).relay())))
  return app
}
