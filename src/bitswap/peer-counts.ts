/**
 * The byte counts the payment service bills and pays against, from the
 * peer ledger (bytes served, bytes delivered that we asked for) and the
 * delivery meter (whether a peer is serving our wants now)
 */
import type { DeliveryMeter } from './delivery-meter.js'
import type { PeerLedger } from './peer-ledger.js'
import type { PeerCounts } from '../payments/ports.js'

export function peerCounts (ledger: Pick<PeerLedger, 'get' | 'atLeast' | 'uncertain'>, meter: Pick<DeliveryMeter, 'serving'>): PeerCounts {
  return {
    served: peer => ledger.get(peer).bytesSent,
    delivered: peer => ledger.get(peer).bytesDelivered,
    serving: peer => meter.serving(peer),
    atLeast: (peer, counts) => {
      ledger.atLeast(peer, { bytesSent: counts.served, bytesDelivered: counts.delivered })
    },
    uncertain: () => ledger.uncertain()
  }
}
