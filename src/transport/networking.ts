/**
 * Transports and gate for each way a node runs: onion only through tor,
 * loopback TCP in development mode, nothing at all offline
 */
import { tcp } from '@libp2p/tcp'
import { isLoopback, loopbackOnlyGater, offlineGater, onionOnlyGater } from './address-policy.js'
import { DEFAULT_DESCRIPTOR_TIMEOUT } from './constants.js'
import { isOnion } from './onion-address.js'
import { OnionService } from './onion-service.js'
import { onion } from './onion.js'
import type { OnionKey } from './onion-address.js'
import type { NodeTor } from './tor/provider.js'
import type { ComponentLogger, ConnectionGater, Transport } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface NetworkingInit {
  /** Neither listen nor dial */
  offline: boolean
  /** Reach peers through this tor, onion only; loopback TCP without it */
  tor?: NodeTor
  /** The onion service key */
  onionKey: OnionKey
  /** Milliseconds for one dial */
  dialTimeout: number
  logger: ComponentLogger
}

export interface Networking {
  transports: Array<(components: any) => Transport>
  connectionGater: ConnectionGater
  /** The addresses peers may learn from us; none offline */
  allowAddress?(ma: Multiaddr): boolean
  /** The node's onion service, which other parts of the node serve ports on too; onion mode only */
  onionService?: OnionService
}

export function networking (init: NetworkingInit): Networking {
  if (init.offline) {
    return { transports: [], connectionGater: offlineGater() }
  }

  if (init.tor != null) {
    const onionService = new OnionService({ tor: init.tor, key: init.onionKey, descriptorTimeout: DEFAULT_DESCRIPTOR_TIMEOUT, log: init.logger.forComponent('torplus:onion:service') })

    return {
      transports: [onion({ tor: init.tor, key: init.onionKey, dialTimeout: init.dialTimeout, service: onionService })],
      connectionGater: onionOnlyGater(),
      allowAddress: isOnion,
      onionService
    }
  }

  return { transports: [tcp()], connectionGater: loopbackOnlyGater(), allowAddress: isLoopback }
}
