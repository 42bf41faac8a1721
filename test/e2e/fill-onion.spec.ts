/**
 * Fill over onion, on a private tor network with the local ledger. Three
 * plain Helia clients fetch five DAGs from a seller with Zipf-like demand
 * (3, 2, 1, 1, 0 clients); two reporters they are connected to see their
 * wants. A filler that has paid each reporter a little asks for the lists
 * and ends holding the top DAGs by merged score that pay for themselves,
 * bought from the seller, never from the reporters whose word they needed.
 * A reporter restarted keeps its counts; a user's add on the filler that
 * needs the room lets a fill DAG go instead of failing.
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { unixfs } from '@helia/unixfs'
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import all from 'it-all'
import pRetry from 'p-retry'
import pWaitFor from 'p-wait-for'
import { add } from '../../src/core/add.js'
import { fill } from '../../src/core/fill.js'
import { TorNetwork } from '../../src/devnet/tor-network.js'
import { FILL_PIN_NAME } from '../../src/frequency/index.js'
import { ManagedTor, onion, onionConnectionMonitor } from '../../src/transport/index.js'
import { payFor, providedIn } from '../utils/fill.js'
import { createPlainHelia } from '../utils/helia.js'
import { createOnionPaidRepo, startNode, startPaymentLedger } from '../utils/payments.js'
import { tempDir } from '../utils/repo.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { CID } from 'multiformats/cid'

const MIB = 1024 * 1024
const TRACKER = { SketchWidth: 16_384, TopK: 1000, MinRequesters: 1 }
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

  it('counts the clients\' demand at the reporters, and a reporter restarted keeps it', async () => {
    for (const [index, count] of DEMAND.entries()) {
      for (const client of clients.slice(0, count)) {
        await all(unixfs(client).cat(dags[index], { signal: AbortSignal.timeout(120_000) }))
      }
    }

    const counts = (reporter: RunningNode): number[] => dags.map(dag => reporter.node.services.frequency?.top({ limit: 100 }).find(item => item.cid.multihash.bytes.toString() === dag.multihash.bytes.toString())?.requesters ?? 0)
    await pWaitFor(() => reporters.every(reporter => counts(reporter).join() === DEMAND.join()), { timeout: 30_000 })

    const repo = reporters[0].repo.path
    await reporters[0].stop()
    reporters[0] = await startNode(repo)
    expect(counts(reporters[0])).to.deep.equal(DEMAND)
    await connect(filler.node.helia.libp2p, reporters[0].node.helia.libp2p.getMultiaddrs())
  })

  it('buys the top DAGs that pay for themselves from the seller, within its share', async () => {
    // the filler pays each reporter a little: the money makes their word count
    for (const reporter of reporters) {
      await payFor(filler, reporter, 120_000)
    }

    // the DHT knows the seller provides them
    for (const dag of dags) {
      await providedIn(seller, filler, dag, 300_000)
    }

    const servedBefore = reporters.map(reporter => reporter.peerTraffic.get(filler.node.helia.libp2p.peerId).bytesSent)
    const round = await fill(filler.node)

    // 3 and 2 requesters pay for a DAG one other peer provides; 1 does not, at the filler's own prices
    expect(round.failed).to.be.empty()
    expect(round.fetched.map(item => item.cid)).to.deep.equal(dags.slice(0, 2).map(dag => dag.toString()))
    for (const dag of dags.slice(0, 2)) {
      expect((await filler.node.helia.pins.get(dag)).metadata.name).to.equal(FILL_PIN_NAME)
    }
    reporters.forEach((reporter, i) => {
      expect(reporter.peerTraffic.get(filler.node.helia.libp2p.peerId).bytesSent).to.equal(servedBefore[i])
    })
  })

  it('lets a fill DAG go when the user\'s add needs the room', async () => {
    const { size, max } = filler.repo.blockstore.stat()
    const added = await all(add(filler.node, [{ path: 'mine.bin', content: crypto.randomBytes(Number(max - size) + MIB) }]))

    expect(await filler.node.helia.pins.isPinned(added[0].cid)).to.be.true()
    expect(await filler.node.helia.pins.isPinned(dags[1])).to.be.false()
  })
})
