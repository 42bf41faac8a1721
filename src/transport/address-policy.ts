/**
 * Which addresses the node may dial. Until the onion transport lands the node
 * runs in loopback development mode: it never dials off this machine.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { NonLoopbackListenError } from './errors.js'
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
