/**
 * The one place that maps PascalCase config to camelCase component options
 */
import type { Config } from './schema.js'
import type { BitswapOptions } from '@helia/bitswap'

export function toLibp2pAddresses (config: Config): string[] {
  return config.Addresses.Swarm
}

export function toBitswapInit (config: Config): BitswapOptions {
  const { Bitswap } = config

  return {
    sendWantlistDebounce: Bitswap.SendWantlistDebounce,
    sendBlocksDebounce: Bitswap.SendBlocksDebounce,
    maxOutgoingMessageSize: Bitswap.MaxOutgoingMessageSize,
    maxIncomingMessageSize: Bitswap.MaxOutgoingMessageSize * 2,
    messageSendTimeout: Bitswap.MessageTimeout,
    messageReceiveTimeout: Bitswap.MessageTimeout,
    sendBlocksTimeout: Bitswap.MessageTimeout
  }
}
