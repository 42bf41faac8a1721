/**
 * wallet/address, wallet/balance, wallet/trust, wallet/history: the node's
 * Stellar account. Amounts are decimal strings with 7 places, exact.
 */
import { Hono } from 'hono'
import { DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT } from '../../payments/index.js'
import { balanceView, walletPaymentView } from '../views/wallet.js'
import { integer, json } from './encoding.js'
import type { RpcContext } from './index.js'
import type { BalanceView, WalletHistoryView } from '../views/index.js'

export function walletRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/address', (c) => json(c, { Address: node.wallet.address, Network: node.wallet.network }))

  app.post('/balance', async (c) => json<BalanceView>(c, balanceView(await node.wallet.balance({ signal: c.req.raw.signal }), node.wallet.network)))

  app.post('/trust', async (c) => {
    const hash = await node.wallet.trust({ signal: c.req.raw.signal })
    return json(c, { Hash: hash })
  })

  app.post('/history', async (c) => {
    const payments = await node.wallet.history({ limit: Math.min(integer(c, 'limit') ?? DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT), signal: c.req.raw.signal })
    return json<WalletHistoryView>(c, { Payments: payments.map(walletPaymentView) })
  })

  return app
}
