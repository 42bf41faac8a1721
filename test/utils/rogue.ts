/**
 * A bare libp2p peer on loopback TCP, for tests that speak a protocol to a
 * node by hand, well or badly: no services but identify
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import type { Identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'

export async function createRoguePeer (options: { listen?: boolean } = {}): Promise<Libp2p<{ identify: Identify }>> {
  return createLibp2p({
    addresses: { listen: options.listen === false ? [] : ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { resolvers: {} },
    services: { identify: identify() }
  })
}
