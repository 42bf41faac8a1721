/**
 * kad-dht as TorPlus runs it: its own protocol id, server mode set on
 * purpose, message timeouts sized for onion circuits, and every peer it
 * stores or sends reduced to the addresses the address policy allows
 */
import { kadDHT } from '@libp2p/kad-dht'
import { DEFAULT_DHT_MESSAGE_TIMEOUT, DEFAULT_REPROVIDE_INTERVAL, DHT_PROTOCOL, PROVIDER_RECORD_VALIDITY } from './constants.js'
import type { PeerInfo } from '@libp2p/interface'
import type { KadDHT, KadDHTComponents } from '@libp2p/kad-dht'
import type { Multiaddr } from '@multiformats/multiaddr'

/** kad-dht looks for records to reprovide at most this often */
const REPROVIDE_CHECK_INTERVAL = 3_600_000

export interface TorPlusDHTInit {
  /**
   * Whether an address may be stored, announced or sent; all others are
   * removed from every peer in the routing table and in replies
   */
  allowAddress(ma: Multiaddr): boolean

  /**
   * Only query, never answer other peers' queries
   *
   * @default false
   */
  clientMode?: boolean

  /**
   * Milliseconds to answer, or wait for the answer to, one DHT message
   *
   * @default 30_000
   */
  messageTimeout?: number

  /**
   * Milliseconds between announcements of our own provider records
   *
   * @default 79_200_000 (22 h)
   */
  reprovideInterval?: number
}

export function torplusDHT (init: TorPlusDHTInit): (components: KadDHTComponents) => KadDHT {
  const messageTimeout = init.messageTimeout ?? DEFAULT_DHT_MESSAGE_TIMEOUT
  const reprovideInterval = init.reprovideInterval ?? DEFAULT_REPROVIDE_INTERVAL
  // the adaptive timeouts learn from replies, between a third of the limit
  // (a fresh circuit takes seconds) and the limit itself
  const adaptive = { minTimeout: Math.ceil(messageTimeout / 3), maxTimeout: messageTimeout }

  return kadDHT({
    protocol: DHT_PROTOCOL,
    // left unset, kad-dht switches to server mode whenever timing lets it
    clientMode: init.clientMode ?? false,
    peerInfoMapper: (peer: PeerInfo): PeerInfo => ({ ...peer, multiaddrs: peer.multiaddrs.filter(ma => init.allowAddress(ma)) }),
    networkDialTimeout: adaptive,
    pingOldContactTimeout: adaptive,
    pingNewContactTimeout: adaptive,
    incomingMessageTimeout: messageTimeout,
    onPeerConnectTimeout: messageTimeout,
    reprovide: {
      validity: PROVIDER_RECORD_VALIDITY,
      // a record of ours is announced again once it is older than the interval
      threshold: PROVIDER_RECORD_VALIDITY - reprovideInterval,
      interval: Math.min(reprovideInterval, REPROVIDE_CHECK_INTERVAL)
    }
  })
}
