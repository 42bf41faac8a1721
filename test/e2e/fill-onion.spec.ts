/**
 * Fill over onion, on a private tor network with the local ledger. Three
 * plain Helia clients fetch five DAGs from a seller with Zipf-like demand
 * (3, 2, 1, 1, 0 clients); two reporters they are connected to see their
 * wants. A filler that has paid each reporter a little asks for the lists
 * and ends holding the top DAGs by merged score that pay for themselves,
 * bought from the seller, never from the reporters whose word they needed
 * (the filler's own DHT lookups count at the reporters too, as any peer's).
 * A user's add on the filler that needs the room lets a fill DAG go instead
 * of failing; a reporter restarted keeps its counts.
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { unixfs } from '@helia/unixfs'
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import all from 'it-all'
import { CID } from 'multiformats/cid'
import pRetry from 'p-retry'
import pWaitFor from 'p-wait-for'
import { add } from '../../src/core/add.js'
import { fill, fillHistory } from '../../src/core/fill.js'
import { TorNetwork } from '../../src/devnet/tor-network.js'
import { FILL_PIN_NAME, roundDown } from '../../src/frequency/index.js'
import { ManagedTor, onion, onionConnectionMonitor } from '../../src/transport/index.js'
import { payFor, providedIn } from '../utils/fill.js'
import { createPlainHelia } from '../utils/helia.js'
import { createOnionPaidRepo, startNode, startPaymentLedger } from '../utils/payments.js'
import { tempDir } from '../utils/repo.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const MIB = 1024 * 1024
const TRACKER = { SketchWidth: 16_384, TopK: 1000, MinRequesters: 2 }
const DHT = { Type: 'dhtserver', MessageTimeout: 60_000 }
/** How many of the three clients fetch each DAG */
const DEMAND = [3, 2, 1, 1, 0]

/** Dial, again if a new onion service is not yet reachable */
async function connect (from: Libp2p, to: Multiaddr[]): Promise<void> {
  await pRetry(async () => { await from.dial(to, { signal: AbortSignal.timeout(120_000) }) }, { retries: 3 })
}

describe('fill over onion', function () {
  this.timeout(900_000)
  let dir: string
  let network: TorNetwork
  let ledger: PaymentLedger
  let seller: RunningNode
  let reporters: RunningNode[]
  let filler: RunningNode
  let clientTor: ManagedTor
  let clients: Array<HeliaWithLibp2p<any>>
  let dags: CID[]

  /** What a reporter counted for each DAG */
  const counts = (reporter: RunningNode): number[] => dags.map(dag => reporter.node.services.frequency?.top({ limit: 100 }).find(item => item.cid.multihash.bytes.toString() === dag.multihash.bytes.toString())?.requesters ?? 0)

  before(async () => {
    dir = await tempDir('torplus-e2e-fill-')
    network = new TorNetwork({ dir: path.join(dir, 'network'), logger: defaultLogger() })
    await network.start()
    ledger = await startPaymentLedger()

    // set up one at a time (each is a transaction of the issuer's), started together
    const repos = [
      await createOnionPaidRepo(ledger, network, { Routing: DHT, Frequency: TRACKER }),
      ...await [0, 1].reduce<Promise<string[]>>(async (made) => [...await made, await createOnionPaidRepo(ledger, network, {
        Routing: DHT,
        Frequency: TRACKER,
        // the filler's small fetch from each reporter is paid
        Payments: { PricePerMiB: '0.01' },
        Bitswap: { FreeAllowance: '64KiB' }
      })], Promise.resolve([])),
      await createOnionPaidRepo(ledger, network, {
        Routing: DHT,
        Frequency: TRACKER,
        Datastore: { StorageMax: '16MiB' },
        Fill: { Share: 0.5 },
        Payments: { MaxPricePerMiB: '0.1' }
      })
    ]
    const nodes = await Promise.all(repos.map(async repo => startNode(repo)))
    ;[seller, reporters, filler] = [nodes[0], nodes.slice(1, 3), nodes[3]]

    dags = []
    for (let i = 0; i < DEMAND.length; i++) {
      dags.push(await seller.node.fs.addBytes(crypto.randomBytes(2 * MIB)))
      await all(seller.node.helia.pins.add(dags[i]))
    }

    for (const peer of [seller, ...reporters]) {
      await connect(filler.node.helia.libp2p, peer.node.helia.libp2p.getMultiaddrs())
    }

    // three clients over one tor, each connected to the seller and both reporters
    clientTor = new ManagedTor({ dir: path.join(dir, 'client-tor'), logger: defaultLogger(), extraConfig: network.clientConfig() })
    await clientTor.start()
    clients = await Promise.all([0, 1, 2].map(async () => createPlainHelia({ transports: [onion({ tor: clientTor })], connectionMonitor: onionConnectionMonitor(60_000) })))

    for (const client of clients) {
      for (const peer of [seller, ...reporters]) {
        await connect(client.libp2p, peer.node.helia.libp2p.getMultiaddrs())
      }
    }
  })

  after(async () => {
    await Promise.all((clients ?? []).map(async client => client.stop()))
    await clientTor?.stop()
    await Promise.all([seller, filler, ...(reporters ?? [])].map(async node => node?.stop()))
    await ledger?.local.stop()
    await network?.stop()
  })

  it('counts the clients\' demand at the reporters', async () => {
    for (const [index, count] of DEMAND.entries()) {
      for (const client of clients.slice(0, count)) {
        await all(unixfs(client).cat(dags[index], { signal: AbortSignal.timeout(120_000) }))
      }
    }

    await pWaitFor(() => reporters.every(reporter => counts(reporter).join() === DEMAND.join()), { timeout: 30_000 })
  })

  it('buys the top DAGs by merged score that pay for themselves, from the seller, within its share', async () => {
    // the filler pays each reporter a little: the money makes their word count
    for (const reporter of reporters) {
      await payFor(filler, reporter, 120_000)
    }

    // the DHT knows the seller provides them
    for (const dag of dags) {
      await providedIn(seller, filler, dag, 300_000)
    }

    const servedBefore = reporters.map(reporter => reporter.peerTraffic.get(filler.node.helia.libp2p.peerId).bytesSent)
    // what the lists will say: the clients, and the filler's own DHT lookups, as the reporters counted
    // them, rounded as published (a reporter lists what at least MinRequesters asked for); fill takes
    // the remote demand it saw itself, when it saw any, as one more supporter (which lookups reach it
    // varies from run to run); an item needs two supporters and is worth their lower median
    const merged = dags.map((_, i) => {
      const listed = reporters.map(reporter => counts(reporter)[i]).filter(count => count >= TRACKER.MinRequesters).map(roundDown)
      const own = counts(filler)[i]
      const supporters = [...listed, ...(own > 0 ? [own] : [])].sort((a, b) => a - b)
      return supporters.length < 2 ? 0 : supporters[Math.floor((supporters.length - 1) / 2)]
    })
    const round = await fill(filler.node)
    const fetched = round.fetched.map(item => dags.findIndex(dag => dag.toString() === item.cid))

    // of the seller's DAGs (the lists may name other items the reporters saw wanted, such as
    // the filler's own fetches): the most wanted is bought; what is bought pays at the filler's
    // own prices (requesters per provider, the seller and us: at least 1); nothing left out was
    // wanted more; all within the share
    const ours = fetched.filter(i => i >= 0)
    expect(round.failed).to.be.empty()
    expect(ours).to.include(merged.indexOf(Math.max(...merged)))
    expect(ours.every(i => merged[i] >= 2)).to.be.true()
    const leftOut = dags.map((_, i) => i).filter(i => !ours.includes(i) && merged[i] >= 2)
    expect(Math.max(0, ...leftOut.map(i => merged[i]))).to.be.at.most(Math.min(...ours.map(i => merged[i])))
    expect(Number(round.bytes)).to.be.at.most(8 * MIB)

    for (const i of ours) {
      expect((await filler.node.helia.pins.get(dags[i])).metadata.name).to.equal(FILL_PIN_NAME)
    }
    reporters.forEach((reporter, i) => {
      expect(reporter.peerTraffic.get(filler.node.helia.libp2p.peerId).bytesSent).to.equal(servedBefore[i])
    })
  })

  it('lets a fill DAG go when the user\'s add needs the room', async () => {
    const { size, max } = filler.repo.blockstore.stat()
    const added = await all(add(filler.node, [{ path: 'mine.bin', content: crypto.randomBytes(Number(max - size) + MIB) }]))

    expect(await filler.node.helia.pins.isPinned(added[0].cid)).to.be.true()
    const [latest] = await fillHistory(filler.node, 1)
    expect(latest.stopped).to.equal('room for the user')
    expect(latest.evicted).to.not.be.empty()

    for (const evicted of latest.evicted) {
      expect(await filler.node.helia.pins.isPinned(CID.parse(evicted.cid))).to.be.false()
    }
  })

  it('keeps a reporter\'s counts across its restart', async () => {
    const before = counts(reporters[0])
    const repo = reporters[0].repo.path
    await reporters[0].stop()
    reporters[0] = await startNode(repo)

    expect(counts(reporters[0])).to.deep.equal(before)
  })
})
