/**
 * Two libp2p nodes that know each other only as onion services, on a private
 * tor network with real tor processes
 */
import path from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { defaultLogger } from '@libp2p/logger'
import { ping } from '@libp2p/ping'
import { expect } from 'aegir/chai'
import { createLibp2p } from 'libp2p'
import pWaitFor from 'p-wait-for'
import { TorNetwork } from '../../src/devnet/tor-network.js'
import { createOnionKey, ManagedTor, onion, torReconnect } from '../../src/transport/index.js'
import { tempDir } from '../utils/repo.js'
import type { OnionKey } from '../../src/transport/index.js'
import type { Identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

describe('onion transport', function () {
  this.timeout(180_000)
  const logger = defaultLogger()
  let network: TorNetwork
  const tors: ManagedTor[] = []
  const nodes: Array<Libp2p<{ identify: Identify, ping: Ping }>> = []
  const keys: OnionKey[] = []

  before(async () => {
    const dir = await tempDir('torplus-onion-')
    network = new TorNetwork({ dir: path.join(dir, 'network'), logger })
    await network.start()

    for (const name of ['a', 'b']) {
      const tor = new ManagedTor({ dir: path.join(dir, name), logger, extraConfig: network.clientConfig() })
      tors.push(tor)
      keys.push(createOnionKey())
    }

    await Promise.all(tors.map(async tor => tor.start()))

    for (let i = 0; i < 2; i++) {
      nodes.push(await createLibp2p({
        addresses: { listen: [`/onion3/${keys[i].serviceId}:4101`] },
        transports: [onion({ tor: tors[i], key: keys[i] })],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        connectionManager: { resolvers: {}, dialTimeout: 90_000, addressDialTimeout: 90_000 },
        services: { identify: identify(), ping: ping(), reconnect: torReconnect({ tor: tors[i] }) }
      }))
    }
  })

  after(async () => {
    await Promise.all(nodes.map(async node => node.stop()))
    await Promise.all(tors.map(async tor => tor.stop()))
    await network?.stop()
  })

  it('listens on its onion address only', () => {
    expect(nodes[0].getMultiaddrs().map(String)).to.deep.equal([`/onion3/${keys[0].serviceId}:4101/p2p/${nodes[0].peerId}`])
  })

  it('dials a peer by its onion address and runs protocols over the circuit', async () => {
    const connection = await nodes[1].dial(nodes[0].getMultiaddrs()[0], { signal: AbortSignal.timeout(90_000) })

    expect(connection.remoteAddr.toString()).to.match(/^\/onion3\//)
    expect(connection.remotePeer.equals(nodes[0].peerId)).to.be.true()

    const rtt = await nodes[1].services.ping.ping(nodes[0].peerId, { signal: AbortSignal.timeout(30_000) })
    expect(rtt).to.be.a('number')
  })

  it('gives each connection a circuit of its own', async () => {
    const circuits = async (): Promise<string[]> => ((await tors[1].control.getInfo(['circuit-status'])).get('circuit-status') ?? '')
      .split('\n')
      .filter(line => line.includes(' BUILT ') && line.includes('HS_CLIENT_REND') && line.includes(`REND_QUERY=${keys[0].serviceId}`))
      .map(line => line.split(' ')[0])
    const before = await circuits()
    expect(before).to.not.be.empty()

    await nodes[1].hangUp(nodes[0].peerId)
    await nodes[1].dial(nodes[0].getMultiaddrs()[0], { signal: AbortSignal.timeout(90_000) })

    // tor would put a new stream with the same SOCKS username on the old circuit
    expect((await circuits()).filter(id => !before.includes(id))).to.have.lengthOf(1)
  })

  it('learns the dialer\'s onion address through identify, and no IP address', async () => {
    // the listener finishes its side of the upgrade after the dialer's dial returns
    await pWaitFor(async () => {
      const peer = await nodes[0].peerStore.get(nodes[1].peerId).catch(() => undefined)
      return (peer?.addresses.length ?? 0) > 0 && nodes[0].getConnections(nodes[1].peerId).length > 0
    }, { timeout: 30_000 })

    const peer = await nodes[0].peerStore.get(nodes[1].peerId)
    expect(peer.addresses.map(a => a.multiaddr.toString())).to.deep.equal([`/onion3/${keys[1].serviceId}:4101`])

    const inbound = nodes[0].getConnections(nodes[1].peerId)[0]
    expect(inbound.remoteAddr.toString()).to.not.match(/\/ip[46]\//)
  })

  it('publishes again when its tor is killed and restarted, and dials back the peers it lost', async () => {
    const before = nodes[1].getConnections(nodes[0].peerId).map(connection => connection.id)
    expect(before).to.not.be.empty()
    const restarted = new Promise<void>(resolve => { tors[0].addEventListener('restarted', () => { resolve() }, { once: true }) })
    process.kill(tors[0].pid ?? 0, 'SIGKILL')
    await restarted

    // node a dials back through its new tor: this needs b's descriptor only,
    // not a's new one, which other tors may not have yet
    const fresh = (): boolean => {
      const now = nodes[1].getConnections(nodes[0].peerId).map(connection => connection.id)
      return now.length > 0 && now.every(id => !before.includes(id))
    }
    await pWaitFor(fresh, { interval: 250, timeout: 120_000 })
    expect(await nodes[1].services.ping.ping(nodes[0].peerId, { signal: AbortSignal.timeout(30_000) })).to.be.a('number')

    await pWaitFor(async () => ((await tors[0].control.getInfo(['onions/current'])).get('onions/current') ?? '').includes(keys[0].serviceId), { interval: 500, timeout: 60_000 })
  })
})
