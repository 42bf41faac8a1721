/**
 * Read options shared by cat, get and the gateway: a node opened without a
 * daemon must never wait on the network for a block it does not have
 */
import type { TorPlusNode } from '../node.js'
import type { AbortOptions } from '@libp2p/interface'

export interface StorageOptions extends AbortOptions {
  /** Only read local blocks */
  offline?: boolean
}

export function withStorageOptions (node: TorPlusNode, options: StorageOptions): StorageOptions {
  return { ...options, offline: options.offline === true || node.offline }
}
