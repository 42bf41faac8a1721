/**
 * Which addresses the node may dial and keep. In onion-only mode nothing but
 * /onion3 is dialled, stored or passed on; in loopback development mode the
 * node never dials off this machine; offline it dials nothing.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { NonLoopbackListenError } from './errors.js'
import { isOnion } from './onion-address.js'
import type { ConnectionGater } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * Whether a multiaddr points at this machine (127.0.0.0/8 or ::1)
 */
export function isLoopback (ma: Multiaddr): boolean {
  const [first] = ma.getComponents()

  if (first == null) {
    return false
  }

  if (first.name === 'ip4') {
    return first.value?.startsWith('127.') === true
  }

  if (first.name === 'ip6') {
    return first.value === '::1'
  }

  return false
}

/**
 * A connection gater that refuses every dial to a non-loopback address
 */
export function loopbackOnlyGater (): ConnectionGater {
  return {
    denyDialMultiaddr: (ma) => !isLoopback(ma),
    filterMultiaddrForPeer: async (_peer, ma) => isLoopback(ma)
  }
}

/**
 * Listen addresses must be loopback unless the operator said otherwise:
 * anything else announces this machine's IP address to every peer
 */
export function checkListenAddresses (addresses: string[], allowNonLoopback: boolean): void {
  const outside = addresses.filter(address => !isLoopback(multiaddr(address)))

  if (outside.length > 0 && !allowNonLoopback) {
    throw new NonLoopbackListenError(outside[0])
  }
}

/**
 * Onion-only: every other address is refused for dialling and dropped before
 * it reaches the peer store (our own record, identify, DHT replies)
 */
export function onionOnlyGater (): ConnectionGater {
  return {
    denyDialMultiaddr: (ma) => !isOnion(ma),
    filterMultiaddrForPeer: async (_peer, ma) => isOnion(ma)
  }
}

/**
 * A node opened by the CLI without a daemon: no dial at all
 */
export function offlineGater (): ConnectionGater {
  return {
    denyDialMultiaddr: () => true
  }
}
