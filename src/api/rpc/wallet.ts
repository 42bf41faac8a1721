/**
 * wallet/address, wallet/balance, wallet/trust, wallet/history: the node's
 * Stellar account. Amounts are decimal strings with 7 places, exact.
 */
import { Hono } from 'hono'
import { fromStroops } from '../../stellar/amounts.js'
import { integer, json } from './encoding.js'
import type { RpcContext } from './index.js'

export function walletRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/address', (c) => json(c, { Address: node.wallet.address, Network: node.wallet.network }))

  app.post('/balance', async (c) => {
    const balance = await node.wallet.balance({ signal: c.req.raw.signal })

    return json(c, {
      Address: balance.address,
      Network: node.wallet.network,
      Funded: balance.funded,
      Native: fromStroops(balance.native),
      Asset: { Code: balance.asset.code, Issuer: balance.asset.issuer },
      AssetBalance: balance.assetBalance == null ? null : fromStroops(balance.assetBalance),
      Trusted: balance.assetBalance != null,
      Authorized: balance.authorized
    })
  })

  app.post('/trust', async (c) => {
    const hash = await node.wallet.trust({ signal: c.req.raw.signal })
    return json(c, { Hash: hash })
  })

  app.post('/history', async (c) => {
    const payments = await node.wallet.history({ limit: Math.min(integer(c, 'limit') ?? 50, 200), signal: c.req.raw.signal })

    return json(c, {
      Payments: payments.map(payment => ({
        ID: payment.id,
        Type: payment.type,
        Direction: payment.direction,
        From: payment.from,
        To: payment.to,
        Amount: fromStroops(payment.amount),
        Asset: payment.asset,
        CreatedAt: payment.createdAt,
        Transaction: payment.transactionHash
      }))
    })
  })

  return app
}
