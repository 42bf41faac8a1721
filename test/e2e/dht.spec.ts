/**
 * The DHT over onion services on a devnet of six daemons: content added on
 * node 1 is found from node 6 and fetched from node 1 over a connection that
 * the lookup made, and a spy node that takes part in the DHT receives
 * identify and DHT messages from every daemon with no IP address in any of them
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { defaultLogger } from '@libp2p/logger'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { expect } from 'aegir/chai'
import all from 'it-all'
import { create } from 'kubo-rpc-client'
import { createLibp2p } from 'libp2p'
import pWaitFor from 'p-wait-for'
import { Uint8ArrayList } from 'uint8arraylist'
import { concat as uint8ArrayConcat } from 'uint8arrays/concat'
import { readConfig } from '../../src/config/index.js'
import { devnetDown, devnetUp } from '../../src/devnet/cluster.js'
import { DHT_PROTOCOL, torplusDHT } from '../../src/routing/index.js'
import { onionOnlyGater } from '../../src/transport/address-policy.js'
import { createOnionKey, isOnion, ManagedTor, onion } from '../../src/transport/index.js'
import { torplus } from '../utils/cli.js'
import { findIpAddresses, recordStreams } from '../utils/message-spy.js'
import { tempDir } from '../utils/repo.js'
import type { DevnetState } from '../../src/devnet/cluster.js'
import type { RecordedStream } from '../utils/message-spy.js'
import type { Libp2p } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { KuboRPCClient } from 'kubo-rpc-client'
import type { CID } from 'multiformats/cid'

describe('DHT over onion services', function () {
  this.timeout(600_000)
  const logger = defaultLogger()
  let dir: string
  let devnet: DevnetState
  let clients: KuboRPCClient[]
  let spyTor: ManagedTor
  let spy: Libp2p<{ dht: KadDHT }>
  const recorded: RecordedStream[] = []
  let content: Uint8Array
  let cid: CID

  const peers = async (client: KuboRPCClient): Promise<string[]> => (await client.swarm.peers()).map(peer => peer.peer.toString())

  before(async () => {
    dir = path.join(await tempDir('torplus-e2e-dht-'), 'devnet')
    devnet = await devnetUp({ dir, nodes: 6, logger, stopWith: process.pid })
    clients = devnet.nodes.map(node => create({ url: node.api }))

    // the spy: a libp2p node with the TorPlus DHT, on the devnet's tor network
    const torrc = (await readConfig(path.join(devnet.nodes[0].repo, 'config'))).Tor.ExtraConfig
    spyTor = new ManagedTor({ dir: path.join(dir, 'spy'), logger, extraConfig: torrc })
    await spyTor.start()
    const key = createOnionKey()
    spy = await createLibp2p({
      addresses: { listen: [`/onion3/${key.serviceId}:4101`] },
      transports: [onion({ tor: spyTor, key })],
      connectionEncrypters: [noise()],
      streamMuxers: [recordStreams(yamux(), recorded)],
      connectionGater: onionOnlyGater(),
      connectionManager: { resolvers: {}, dialTimeout: 90_000, addressDialTimeout: 90_000 },
      services: {
        identify: identify(),
        ping: ping(),
        dht: torplusDHT({ allowAddress: isOnion })
      }
    })
    await spy.dial(multiaddr(devnet.nodes[2].multiaddr), { signal: AbortSignal.timeout(120_000) })
  })

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      process.stderr.write(`devnet left in ${dir} for inspection; daemon logs are in each node's daemon.log\n`)
    }
  })

  after(async () => {
    await spy?.stop()
    await spyTor?.stop()
    await devnetDown(dir)
  })

  it('fills each node\'s Routing.Bootstrap with onion addresses', async () => {
    const configs = await Promise.all(devnet.nodes.map(async node => readConfig(path.join(node.repo, 'config'))))
    expect(configs[0].Routing.Bootstrap).to.deep.equal([devnet.nodes[1].multiaddr])

    for (const config of configs.slice(1)) {
      expect(config.Routing.Bootstrap).to.deep.equal([devnet.nodes[0].multiaddr])
    }
  })

  it('node 6 finds node 1 as the provider of what node 1 added, and fetches it from node 1 over a connection the lookup made', async () => {
    content = crypto.randomBytes(3 * 1024 * 1024)
    cid = (await clients[0].add(content)).cid
    const provider = devnet.nodes[0]

    // the add announced it in the background: findprovs from the CLI, as a user would
    await pWaitFor(async () => {
      const found = await torplus(['routing', 'findprovs', cid.toString()], { repo: devnet.nodes[5].repo, timeout: 150_000 })
      expect(found.code, found.stderr).to.equal(0)
      return found.stdout.split('\n').includes(provider.peerId)
    }, { interval: 1_000, timeout: 180_000 })

    const events = await all(clients[5].routing.findProvs(cid))
    const providers = events.flatMap(event => event.name === 'PROVIDER' ? event.providers : [])
    const found = providers.find(peer => peer.id.toString() === provider.peerId)
    expect(found?.multiaddrs.map(String)).to.deep.equal([provider.multiaddr.replace(/\/p2p\/.*$/, '')])

    // a Kademlia network this small connects everybody during lookups: drop
    // node 6's link to node 1, so that only a new lookup can bring them together
    if ((await peers(clients[5])).includes(provider.peerId)) {
      await clients[5].swarm.disconnect(multiaddr(provider.multiaddr))
    }
    await pWaitFor(async () => !(await peers(clients[5])).includes(provider.peerId), { timeout: 10_000 })

    const fetched = uint8ArrayConcat(await all(clients[5].cat(cid, { signal: AbortSignal.timeout(180_000) })))
    expect(Buffer.from(fetched).equals(Buffer.from(content))).to.be.true()
    expect(await peers(clients[5])).to.include(provider.peerId)
  })

  it('node 1, every other node\'s bootstrap peer, fetches from the nodes that dialled it at their start', async () => {
    // a connection made before bitswap registered its protocol was once
    // identified without it, and node 1 then never asked that peer for a block
    const added = crypto.randomBytes(256 * 1024)
    const { cid: elsewhere } = await clients[2].add(added)
    const fetched = uint8ArrayConcat(await all(clients[0].cat(elsewhere, { signal: AbortSignal.timeout(60_000) })))
    expect(Buffer.from(fetched).equals(Buffer.from(added))).to.be.true()
  })

  it('finds a peer\'s onion address with findpeer', async () => {
    const result = await torplus(['routing', 'findpeer', devnet.nodes[0].peerId], { repo: devnet.nodes[5].repo, timeout: 150_000 })
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout.trim().split('\n')).to.deep.equal([devnet.nodes[0].multiaddr.replace(/\/p2p\/.*$/, '')])
  })

  it('provides on request, and refuses what the node does not hold', async () => {
    const [node] = devnet.nodes.slice(1)
    const { cid: held } = await clients[1].add(crypto.randomBytes(1024), { pin: false })
    const provided = await torplus(['routing', 'provide', held.toString()], { repo: node.repo, timeout: 150_000 })
    expect(provided.code, provided.stderr).to.equal(0)
    expect(provided.stdout).to.match(new RegExp(`^provided ${held}`))

    const events = await all(clients[4].routing.findProvs(held))
    expect(events.flatMap(event => event.name === 'PROVIDER' ? event.providers.map(peer => peer.id.toString()) : [])).to.include(node.peerId)

    const missing = await torplus(['routing', 'provide', 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'], { repo: node.repo })
    expect(missing.code).to.equal(1)
    expect(missing.stderr).to.match(/is not in the local repo, so this node cannot provide it/)
  })

  it('the spy receives identify and DHT messages from every node, with no IP address in any of them', async () => {
    // queries of its own bring replies full of peer records
    await all(spy.services.dht.findProviders(cid, { signal: AbortSignal.timeout(120_000) }))
    await all(spy.services.dht.getClosestPeers(crypto.randomBytes(32), { signal: AbortSignal.timeout(120_000) }))

    const connected = spy.getConnections().map(connection => connection.remotePeer.toString())
    expect(connected).to.include.members(devnet.nodes.map(node => node.peerId))

    const report = findIpAddresses(recorded, DHT_PROTOCOL)
    expect(report.identifySenders).to.include.members(devnet.nodes.map(node => node.peerId))
    expect(report.dhtMessages).to.be.at.least(devnet.nodes.length)
    expect(report.multiaddrs.length).to.be.at.least(devnet.nodes.length)
    expect(report.multiaddrs.every(ma => ma.startsWith('/onion3/'))).to.be.true()
    expect(report.leaks).to.deep.equal([])

    // and the spy would see one
    const leaky = findIpAddresses([{ stream: { protocol: '/ipfs/id/1.0.0', direction: 'inbound' } as any, received: identifyWithAddress('/ip4/127.0.0.1/tcp/4001') }], DHT_PROTOCOL)
    expect(leaky.leaks).to.have.lengthOf(1)
  })
})

/** A received identify message, length-prefixed, listing one address */
function identifyWithAddress (address: string): Uint8ArrayList {
  const bytes = multiaddr(address).bytes
  const message = Uint8Array.of(0x12, bytes.byteLength, ...bytes)
  return new Uint8ArrayList(Uint8Array.of(message.byteLength), message)
}
