/**
 * Helia starts libp2p, and with it every libp2p service, before bitswap. A
 * service that must wait for the whole node, bitswap included, listens for
 * the `start` of the node's events (Helia's `events` satisfy this).
 */
export interface NodeStartEvents {
  addEventListener(type: 'start', listener: () => void): void
  removeEventListener(type: 'start', listener: () => void): void
}
