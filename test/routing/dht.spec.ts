/**
 * The DHT between in-process nodes in loopback development mode: providers are
 * found and fetched from, peer records keep the addresses the mode allows, and
 * a peer that answers with malformed or oversized messages neither crashes
 * the node nor is asked anything more in that query
 */
import crypto from 'node:crypto'
import net from 'node:net'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { expect } from 'aegir/chai'
import all from 'it-all'
import { createLibp2p } from 'libp2p'
import { pEvent } from 'p-event'
import pWaitFor from 'p-wait-for'
import { concat as uint8ArrayConcat } from 'uint8arrays/concat'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { add } from '../../src/core/add.js'
import { cat } from '../../src/core/cat.js'
import { createTorPlusNode } from '../../src/node.js'
import { openRepo } from '../../src/repo/index.js'
import { DHT_PROTOCOL } from '../../src/routing/index.js'
import { createRepo } from '../utils/repo.js'
import type { TorPlusNode } from '../../src/node.js'
import type { Repo } from '../../src/repo/index.js'
import type { Libp2p } from '@libp2p/interface'
import type { FinalPeerEvent, QueryEvent, SingleKadDHT } from '@libp2p/kad-dht'
import type { CID } from 'multiformats/cid'

/** A kad Message: field 1 type (varint), field 2 key (bytes) */
function kadMessage (type: number, key: Uint8Array): Uint8Array {
  return uint8ArrayConcat([Uint8Array.of(0x08, type, 0x12, key.byteLength), key])
}

const FIND_NODE = 4

/** A length prefix of 2 MiB and the first 1 MiB of the message */
const OVERSIZED_START = uint8ArrayConcat([Uint8Array.of(0x80, 0x80, 0x80, 0x01), crypto.randomBytes(1024 * 1024)])

type Misbehaviour = 'garbage' | 'oversized' | 'bad-peers'

/**
 * A libp2p peer that speaks the DHT protocol badly: it counts the requests
 * it gets and answers each one in the given bad way
 */
async function createRoguePeer (misbehaviour: Misbehaviour): Promise<{ libp2p: Libp2p, requests(): number }> {
  let requests = 0
  const libp2p = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { resolvers: {} },
    // kad-dht pings a new contact before it adds it to the routing table
    services: { identify: identify(), ping: ping() }
  })

  await libp2p.handle(DHT_PROTOCOL, async (stream) => {
    const lp = lpStream(stream)
    await lp.read()
    requests++

    if (misbehaviour === 'garbage') {
      await lp.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0x42))
    } else if (misbehaviour === 'oversized') {
      // the first 1 MiB of a 2 MiB message, then nothing: a reader that
      // waits for the rest holds the query up until its timeout
      stream.send(OVERSIZED_START)
      await pEvent(stream, 'close').catch(() => {})
    } else {
      // FIND_NODE reply whose closer peer has an id and an address that are not one
      await lp.write(Uint8Array.of(0x08, FIND_NODE, 0x42, 0x0a, 0x0a, 0x03, 0x01, 0x02, 0x03, 0x12, 0x03, 0xff, 0xfe, 0xfd))
    }

    await stream.close().catch(() => {})
  })

  return { libp2p, requests: () => requests }
}

describe('DHT in loopback development mode', function () {
  this.timeout(120_000)
  const repos: Repo[] = []
  const nodes: TorPlusNode[] = []
  const dht = (node: TorPlusNode): SingleKadDHT => node.helia.libp2p.services.dht as SingleKadDHT

  before(async () => {
    for (let i = 0; i < 4; i++) {
      const repo = await openRepo(await createRepo({ Routing: { QueryTimeout: 30_000, ProviderSearchDelay: 0 } }), { command: 'test' })
      repos.push(repo)
      const node = createTorPlusNode({ repo })
      await node.start()
      nodes.push(node)
    }

    // a line: each node knows only its neighbours to begin with
    for (let i = 1; i < nodes.length; i++) {
      await nodes[i].helia.libp2p.dial(nodes[i - 1].helia.libp2p.getMultiaddrs()[0])
    }

    await pWaitFor(() => nodes.every(node => dht(node).routingTable.size > 0), { timeout: 30_000 })
  })

  after(async () => {
    await Promise.all(nodes.map(async node => node.stop()))
    await Promise.all(repos.map(async repo => repo.close()))
  })

  it('runs as a DHT server under TorPlus\'s own protocol id', async () => {
    expect(dht(nodes[0]).getMode()).to.equal('server')
    expect(nodes[0].helia.libp2p.getProtocols()).to.include(DHT_PROTOCOL).and.not.include('/ipfs/kad/1.0.0')
  })

  it('announces added content, and a node with no connection to the provider finds it and fetches it', async () => {
    const content = crypto.randomBytes(300 * 1024)
    const [entry] = await all(add(nodes[0], [{ content }]))
    const provider = nodes[0].helia.libp2p.peerId
    const fetcher = nodes[3]
    await fetcher.helia.libp2p.hangUp(provider)

    // the provide runs in the background after the add returned
    let found: Array<{ id: string, addrs: string[] }> = []
    await pWaitFor(async () => {
      found = []
      for await (const event of dht(fetcher).findProviders(entry.cid, { signal: AbortSignal.timeout(10_000) })) {
        if (event.name === 'PROVIDER') {
          found.push(...event.providers.map(peer => ({ id: peer.id.toString(), addrs: peer.multiaddrs.map(String) })))
        }
      }
      return found.some(peer => peer.id === provider.toString())
    }, { interval: 500, timeout: 30_000 })

    // loopback addresses, which kad-dht's default mapper would strip
    expect(found.find(peer => peer.id === provider.toString())?.addrs).to.satisfy((addrs: string[]) => addrs.length > 0 && addrs.every(a => a.startsWith('/ip4/127.0.0.1/tcp/')))

    await fetcher.helia.libp2p.hangUp(provider)
    expect(fetcher.helia.libp2p.getConnections(provider)).to.be.empty()
    const fetched = uint8ArrayConcat(await all(await cat(fetcher, { cid: entry.cid, path: '' }, { signal: AbortSignal.timeout(30_000) })))
    expect(Buffer.from(fetched).equals(content)).to.be.true()
  })

  it('dials its Routing.Bootstrap peers only once bitswap runs, so that their first identify of it includes bitswap', async () => {
    // a bare TCP listener stands for the bootstrap peer: it notes when the dial arrives
    const order: string[] = []
    const sockets: net.Socket[] = []
    const server = net.createServer(socket => {
      order.push('dialled')
      sockets.push(socket)
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as net.AddressInfo
    const repo = await openRepo(await createRepo({ Routing: { Bootstrap: [`/ip4/127.0.0.1/tcp/${port}/p2p/${nodes[0].helia.libp2p.peerId}`] } }), { command: 'test' })
    const node = createTorPlusNode({ repo })
    node.helia.events.addEventListener('start', () => { order.push('node started') })

    try {
      await node.start()
      await pWaitFor(() => order.includes('dialled'), { timeout: 10_000 })
      expect(order).to.deep.equal(['node started', 'dialled'])
    } finally {
      sockets.forEach(socket => socket.destroy())
      server.close()
      await node.stop()
      await repo.close()
    }
  })

  describe('a peer that answers with bad messages', () => {
    for (const misbehaviour of ['garbage', 'oversized', 'bad-peers'] as const) {
      it(`is not asked again in the query, and the node carries on (${misbehaviour})`, async () => {
        const rogue = await createRoguePeer(misbehaviour)

        try {
          const victim = nodes[1]
          const tableSize = dht(victim).routingTable.size
          await victim.helia.libp2p.dial(rogue.libp2p.getMultiaddrs()[0])
          await pWaitFor(() => dht(victim).routingTable.size > tableSize, { timeout: 10_000 })

          const before = rogue.requests()
          // refused at once: a query that waited for the bad answer until Routing.MessageTimeout (30 s) would be aborted
          const events = await all(dht(victim).getClosestPeers(crypto.randomBytes(32), { signal: AbortSignal.timeout(10_000) }))

          expect(rogue.requests() - before).to.equal(1)
          const errors = events.filter(event => event.name === 'QUERY_ERROR' && event.from.equals(rogue.libp2p.peerId))
          expect(errors).to.have.lengthOf(1)
          // the honest peers still answered
          expect(events.filter((event: QueryEvent): event is FinalPeerEvent => event.name === 'FINAL_PEER').map(event => event.peer.id.toString()))
            .to.include.members([nodes[0], nodes[2]].map(node => node.helia.libp2p.peerId.toString()))
        } finally {
          await rogue.libp2p.stop()
        }
      })
    }

    it('sends requests that are garbage or over the size limit: the node resets them at once, and answers the next good one', async () => {
      const rogue = await createRoguePeer('garbage')

      try {
        const target = nodes[2].helia.libp2p
        const connection = await rogue.libp2p.dial(target.getMultiaddrs()[0])
        const garbage = Uint8Array.of(0x06, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)

        for (const bad of [garbage, OVERSIZED_START]) {
          const stream = await connection.newStream(DHT_PROTOCOL)
          stream.send(bad)
          // well inside Routing.MessageTimeout (30 s), so not a timeout
          await pWaitFor(() => stream.status === 'reset' || stream.readStatus === 'closed', { timeout: 5_000 })
          stream.abort(new Error('done'))
        }

        const stream = await connection.newStream(DHT_PROTOCOL)
        const lp = lpStream(stream)
        await lp.write(kadMessage(FIND_NODE, crypto.randomBytes(32)))
        const reply = await lp.read({ signal: AbortSignal.timeout(15_000) })
        expect(reply.byteLength).to.be.greaterThan(0)
        expect(target.status).to.equal('started')
      } finally {
        await rogue.libp2p.stop()
      }
    })
  })
})

describe('reprovider', function () {
  this.timeout(60_000)
  const repos: Repo[] = []
  const nodes: TorPlusNode[] = []

  async function start (interval: number): Promise<TorPlusNode> {
    const repo = await openRepo(await createRepo({ Reprovider: { Interval: interval } }), { command: 'test' })
    repos.push(repo)
    const node = createTorPlusNode({ repo })
    await node.start()
    nodes.push(node)
    return node
  }

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
    await Promise.all(repos.splice(0).map(async repo => repo.close()))
  })

  /** Whether `node` holds a provider record of `cid` naming `provider` */
  async function holdsRecord (node: TorPlusNode, cid: CID, provider: TorPlusNode): Promise<boolean> {
    const prefix = `/dht/provider/${uint8ArrayToString(cid.multihash.bytes, 'base32')}`
    const keys = await all(node.repo.datastore.queryKeys({ prefix }))
    return keys.some(key => key.toString().endsWith(`/${provider.helia.libp2p.peerId}`))
  }

  for (const [interval, expected] of [[2_000, true], [3_600_000, false]] as const) {
    it(`announces again every Reprovider.Interval, reaching a peer that joined after the add (${interval} ms: ${expected ? 'reached' : 'not yet'})`, async () => {
      const provider = await start(interval)
      const early = await start(interval)
      await early.helia.libp2p.dial(provider.helia.libp2p.getMultiaddrs()[0])
      await pWaitFor(() => (provider.helia.libp2p.services.dht as SingleKadDHT).routingTable.size > 0, { timeout: 10_000 })
      const [entry] = await all(add(provider, [{ content: crypto.randomBytes(1024) }]))
      // the add's own announcement is done once the peer present then has it
      await pWaitFor(async () => holdsRecord(early, entry.cid, provider), { timeout: 10_000 })

      const latecomer = await start(interval)
      await latecomer.helia.libp2p.dial(provider.helia.libp2p.getMultiaddrs()[0])
      await pWaitFor(() => (provider.helia.libp2p.services.dht as SingleKadDHT).routingTable.size > 1, { timeout: 10_000 })

      const reached = await pWaitFor(async () => holdsRecord(latecomer, entry.cid, provider), { interval: 250, timeout: 3 * 2_000 })
        .then(() => true, () => false)
      expect(reached).to.equal(expected)
    })
  }
})
