/**
 * Set-up steps of the fill tests: a payment history between two nodes, and
 * a provider record the filler can find
 */
import crypto from 'node:crypto'
import all from 'it-all'
import pWaitFor from 'p-wait-for'
import { cat } from '../../src/core/cat.js'
import type { RunningNode } from './payments.js'
import type { CID } from 'multiformats/cid'

/** `payer` fetches 1 MiB from `payee`, which bills it, until the payment shows */
export async function payFor (payer: RunningNode, payee: RunningNode, timeout = 60_000): Promise<void> {
  const toll = await payee.node.fs.addBytes(crypto.randomBytes(1024 * 1024))
  await all(await cat(payer.node, { cid: toll, path: '' }, { signal: AbortSignal.timeout(timeout) }))
  const id = payee.node.helia.libp2p.peerId.toString()
  await pWaitFor(() => (payer.payments.peers().find(peer => peer.peer === id)?.toPeer?.paid ?? 0n) > 0n, { timeout })
}

/** Announce `dag` from `seller` until `finder` finds it in the DHT */
export async function providedIn (seller: RunningNode, finder: RunningNode, dag: CID, timeout = 60_000): Promise<void> {
  const sellerId = seller.node.helia.libp2p.peerId
  const step = Math.min(timeout, 60_000)

  await pWaitFor(async () => {
    await seller.node.helia.routing.provide(dag, { signal: AbortSignal.timeout(step) }).catch(() => {})

    for await (const event of finder.node.services.dht?.findProviders(dag, { signal: AbortSignal.timeout(step) }) ?? []) {
      if (event.name === 'PROVIDER' && event.providers.some(peer => peer.id.equals(sellerId))) {
        return true
      }
    }

    return false
  }, { timeout, interval: 1000 })
}
