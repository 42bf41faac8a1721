/**
 * The byte counts the payment service bills and pays against, from the
 * peer traffic store (bytes served, bytes delivered that we asked for) and
 * the delivery meter and the site tunnels we opened (whether a peer is
 * serving us now): bitswap's side of the payment service's `PeerCounts` port
 */
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import type { DeliveryMeter } from './delivery-meter.js'
import type { PeerTrafficStore } from './peer-traffic.js'
import type { PeerCounts, PeerHolder } from '../payments/index.js'
import type { PeerId } from '@libp2p/interface'

export interface PeerCountsComponents {
  peerTraffic: Pick<PeerTrafficStore, 'get' | 'atLeast' | 'uncertain' | 'keep' | 'addEventListener' | 'removeEventListener'>
  deliveryMeter: Pick<DeliveryMeter, 'serving'>
  /** Tunnels to published sites, whose bytes count as delivered too; read when asked, not at start */
  sites?: { serving(peer: PeerId | string): boolean }
}

class BitswapPeerCounts implements PeerCounts {
  readonly [Symbol.toStringTag] = 'torplus:bitswap:peer-counts'
  readonly [serviceCapabilities] = ['@torplus/peer-counts']
  readonly [serviceDependencies] = ['@torplus/peer-traffic', '@torplus/delivery-meter']
  private readonly components: PeerCountsComponents

  constructor (components: PeerCountsComponents) {
    this.components = components
  }

  served (peer: PeerId | string): bigint {
    return this.components.peerTraffic.get(peer).bytesSent
  }

  delivered (peer: PeerId | string): bigint {
    return this.components.peerTraffic.get(peer).bytesDelivered
  }

  serving (peer: PeerId | string): boolean {
    return this.components.deliveryMeter.serving(peer) || (this.components.sites?.serving(peer) ?? false)
  }

  atLeast (peer: PeerId | string, counts: { served?: bigint, delivered?: bigint }): void {
    this.components.peerTraffic.atLeast(peer, { bytesSent: counts.served, bytesDelivered: counts.delivered })
  }

  uncertain (): boolean {
    return this.components.peerTraffic.uncertain()
  }

  retain (holder: PeerHolder): () => void {
    const { peerTraffic } = this.components
    const forgotten = (evt: CustomEvent<string>): void => { holder.forgotten(evt.detail) }
    const unkeep = peerTraffic.keep(peer => holder.holds(peer))
    peerTraffic.addEventListener('forget', forgotten)

    return () => {
      unkeep()
      peerTraffic.removeEventListener('forget', forgotten)
    }
  }
}

/**
 * Per-peer byte counts as the payment service needs them (its `PeerCounts`)
 */
export function peerCounts (): (components: PeerCountsComponents) => PeerCounts {
  return (components) => new BitswapPeerCounts(components)
}
