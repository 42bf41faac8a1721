/**
 * Bootstrap peers are dialled at start and again while the node has few
 * connections, so a bootstrap peer that was down at first is reached later;
 * with `startAfter`, not before the whole node has started
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { expect } from 'aegir/chai'
import { createLibp2p } from 'libp2p'
import { TypedEventEmitter } from 'main-event'
import pWaitFor from 'p-wait-for'
import { PortAllocator } from '../../src/devnet/ports.js'
import { dhtBootstrap } from '../../src/routing/index.js'
import { loopbackOnlyGater } from '../../src/transport/address-policy.js'
import type { DHTBootstrapInit } from '../../src/routing/index.js'
import type { Libp2p } from '@libp2p/interface'

async function createNode (options: { port?: number, bootstrap?: DHTBootstrapInit } = {}): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: [`/ip4/127.0.0.1/tcp/${options.port ?? 0}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: loopbackOnlyGater(),
    connectionManager: { resolvers: {} },
    services: {
      identify: identify(),
      ...(options.bootstrap == null ? {} : { dhtBootstrap: dhtBootstrap(options.bootstrap) })
    }
  })
}

describe('DHT bootstrap', function () {
  this.timeout(30_000)
  const nodes: Libp2p[] = []

  /** A node that bootstraps from `list`, checking twice a second */
  async function bootstrapping (list: string[], minConnections?: number, startAfter?: DHTBootstrapInit['startAfter']): Promise<Libp2p> {
    const node = await createNode({ bootstrap: { list, interval: 500, minConnections, startAfter } })
    nodes.push(node)
    return node
  }

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })

  it('dials its bootstrap peers at start', async () => {
    const peer = await createNode()
    nodes.push(peer)
    const node = await bootstrapping([peer.getMultiaddrs()[0].toString()])

    await pWaitFor(() => node.getConnections(peer.peerId).length > 0, { timeout: 10_000 })
  })

  it('with startAfter, dials only once the whole node has started', async () => {
    const peer = await createNode()
    nodes.push(peer)
    const wholeNode = new TypedEventEmitter<{ start: CustomEvent }>()
    const node = await bootstrapping([peer.getMultiaddrs()[0].toString()], undefined, wholeNode)

    // libp2p runs, the rest of the node (bitswap) not yet: rounds come every 500 ms and none may dial
    await new Promise(resolve => setTimeout(resolve, 1_500))
    expect(node.getConnections(peer.peerId)).to.be.empty()

    wholeNode.safeDispatchEvent('start')
    await pWaitFor(() => node.getConnections(peer.peerId).length > 0, { timeout: 10_000 })
  })

  it('reaches a bootstrap peer that was down at start, and again after it was lost', async () => {
    const port = await new PortAllocator().next()

    // a fixed port, so the peer's address is known while it is down
    const later = await createNode({ port })
    const address = later.getMultiaddrs()[0].toString()
    await later.stop()

    const node = await bootstrapping([address])
    await new Promise(resolve => setTimeout(resolve, 1_000))
    expect(node.getConnections()).to.be.empty()

    await later.start()
    nodes.push(later)
    await pWaitFor(() => node.getConnections(later.peerId).length > 0, { timeout: 10_000 })

    await node.hangUp(later.peerId)
    await pWaitFor(() => node.getConnections(later.peerId).length > 0, { timeout: 10_000 })
  })

  it('leaves its bootstrap peers alone while it has enough connections', async () => {
    const peer = await createNode()
    const other = await createNode()
    nodes.push(peer, other)
    const node = await bootstrapping([peer.getMultiaddrs()[0].toString()], 1)
    await pWaitFor(() => node.getConnections(peer.peerId).length > 0, { timeout: 10_000 })

    await node.dial(other.getMultiaddrs()[0])
    await node.hangUp(peer.peerId)
    await new Promise(resolve => setTimeout(resolve, 1_500))
    expect(node.getConnections(peer.peerId)).to.be.empty()
  })
})
