/**
 * bitswap/stat and bitswap/ledger, as Kubo's, with the payment figures of
 * metered bitswap: what each peer was served, what is free, what it owes and
 * paid, and whether it is throttled or refused
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { Hono } from 'hono'
import { InvalidArgumentError } from '../../core/errors.js'
import { fromStroops } from '../../stellar/amounts.js'
import { args, json } from './encoding.js'
import type { RpcContext } from './index.js'
import type { TorPlusNode } from '../../node.js'
import type { PeerPayments } from '../../payments/service.js'

/** The payment service's books, or none when payments do not run */
function payments (node: TorPlusNode): TorPlusNode['payments'] | undefined {
  try {
    return node.payments
  } catch {
    return undefined
  }
}

export function bitswapRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/stat', (c) => {
    const { bytesSent, bytesReceived } = node.bitswapTraffic.stat()
    const peers = node.peerLedger.entries().map(([peer]) => peer)
    const statuses = peers.map(peer => node.metering?.view(peer).status ?? 'free')
    const books = payments(node)?.peers() ?? []

    return json(c, {
      DataSent: bytesSent.toString(),
      DataReceived: bytesReceived.toString(),
      Peers: peers,
      Throttled: statuses.filter(status => status === 'throttled').length,
      Refused: statuses.filter(status => status === 'refused').length,
      PaymentsReceived: fromStroops(books.reduce((sum, peer) => sum + (peer.asPayer?.received ?? 0n), 0n)),
      PaymentsMade: fromStroops(books.reduce((sum, peer) => sum + (peer.asPayee?.paid ?? 0n), 0n))
    })
  })

  // one peer with an argument, as Kubo's; every peer with bitswap traffic without one
  app.post('/ledger', (c) => {
    const [id] = args(c)
    const books = payments(node)?.peers() ?? []

    if (id == null) {
      return json(c, { Peers: node.peerLedger.entries().map(([peer]) => ledgerOf(node, peer, books)) })
    }

    try {
      peerIdFromString(id)
    } catch {
      throw new InvalidArgumentError(`"${id}" is not a peer id`)
    }

    return json(c, ledgerOf(node, id, books))
  })

  return app
}

function ledgerOf (node: TorPlusNode, id: string, books: PeerPayments[]): Record<string, unknown> {
  const { bytesSent, bytesReceived, bytesDelivered } = node.peerLedger.get(id)
  const credit = node.metering?.view(id)
  const paid = books.find(peer => peer.peer === id)

  return {
    Peer: id,
    // Kubo's debt ratio: what we sent over what we received
    Value: Number(bytesSent) / (Number(bytesReceived) + 1),
    Sent: bytesSent.toString(),
    Recv: bytesReceived.toString(),
    // of what it sent us, the blocks we had asked it for (what we pay for)
    Delivered: bytesDelivered.toString(),
    Status: credit?.status ?? 'free',
    Unpaid: fromStroops(credit?.unpaid ?? 0n),
    FreeBytes: (credit?.freeBytes ?? 0n).toString(),
    Allowance: credit?.allowance ?? null,
    PaidThrough: (paid?.asPayer?.paidThrough ?? 0n).toString(),
    PaidToUs: fromStroops(paid?.asPayer?.received ?? 0n),
    PaidByUs: fromStroops(paid?.asPayee?.paid ?? 0n)
  }
}
