/**
 * An unmodified Helia node: the helia package's own light node, libp2p with
 * TCP on loopback (or the transports given), and @helia/bitswap, with none of
 * the online defaults (delegated routing, public gateways, bootstrap, mDNS)
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from '@helia/libp2p'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { FsBlockstore } from 'blockstore-fs'
import { MemoryDatastore } from 'datastore-core'
import { createHeliaLight } from 'helia'
import type { BitswapOptions } from '@helia/bitswap'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import type { Identify } from '@libp2p/identify'
import type { Libp2pOptions } from 'libp2p'

export interface PlainHeliaOptions {
  /** A blockstore-fs folder; memory when absent */
  blocksDir?: string
  bitswap?: BitswapOptions
  /** Transports in place of TCP on loopback, which then listens nowhere */
  transports?: Libp2pOptions['transports']
  /** libp2p's liveness pings; its defaults drop a busy onion circuit, whose pings wait behind the data */
  connectionMonitor?: Libp2pOptions['connectionMonitor']
}

export async function createPlainHelia (options: PlainHeliaOptions = {}): Promise<HeliaWithLibp2p<{ identify: Identify }>> {
  const blockstore = options.blocksDir == null ? undefined : new FsBlockstore(options.blocksDir)
  await blockstore?.open()

  const helia = withBitswap(withLibp2pLight(createHeliaLight({ blockstore, datastore: new MemoryDatastore() }), {
    addresses: { listen: options.transports == null ? ['/ip4/127.0.0.1/tcp/0'] : [] },
    transports: options.transports ?? [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { resolvers: {} },
    connectionMonitor: options.connectionMonitor,
    services: { identify: identify() }
  }), options.bitswap)

  await helia.start()
  return helia
}
