/**
 * bitswap/stat and bitswap/ledger, as Kubo's, with the payment figures of
 * metered bitswap: what each peer was served, what is free, what it owes and
 * paid, and whether it is throttled or refused
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { Hono } from 'hono'
import { InvalidArgumentError } from '../../core/errors.js'
import { fromStroops } from '../../stellar/index.js'
import { ledgerView } from '../views/bitswap.js'
import { args, json } from './encoding.js'
import type { RpcContext } from './index.js'
import type { TorPlusNode } from '../../node.js'
import type { PeerPayments } from '../../payments/index.js'
import type { BitswapStatView, LedgersView, LedgerView } from '../views/index.js'

export function bitswapRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/stat', (c) => {
    const { bytesSent, bytesReceived } = node.services.bitswapTraffic.stat()
    const peers = node.services.peerTraffic.entries().map(([peer]) => peer)
    const statuses = peers.map(peer => node.services.creditGate?.view(peer).status ?? 'free')
    const books = node.services.payments?.peers() ?? []

    return json<BitswapStatView>(c, {
      DataSent: bytesSent.toString(),
      DataReceived: bytesReceived.toString(),
      Peers: peers,
      Throttled: statuses.filter(status => status === 'throttled').length,
      Refused: statuses.filter(status => status === 'refused').length,
      PaymentsReceived: fromStroops(books.reduce((sum, peer) => sum + (peer.fromPeer?.received ?? 0n), 0n)),
      PaymentsMade: fromStroops(books.reduce((sum, peer) => sum + (peer.toPeer?.paid ?? 0n), 0n))
    })
  })

  // one peer with an argument, as Kubo's; every peer with bitswap traffic without one
  app.post('/ledger', (c) => {
    const [id] = args(c)
    const books = new Map((node.services.payments?.peers() ?? []).map(peer => [peer.peer, peer]))

    if (id == null) {
      return json<LedgersView>(c, { Peers: node.services.peerTraffic.entries().map(([peer]) => ledgerOf(node, peer, books)) })
    }

    try {
      peerIdFromString(id)
    } catch {
      throw new InvalidArgumentError(`"${id}" is not a peer id`)
    }

    return json<LedgerView>(c, ledgerOf(node, id, books))
  })

  return app
}

function ledgerOf (node: TorPlusNode, id: string, books: Map<string, PeerPayments>): LedgerView {
  return ledgerView(id, node.services.peerTraffic.get(id), node.services.creditGate?.view(id), books.get(id))
}
