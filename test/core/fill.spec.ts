/**
 * A fill round between real nodes on loopback, paid on the local ledger:
 * two reporters the filler has paid list what their peers want, a seller
 * holds it; the filler buys the top DAGs that fit its share from the
 * seller (never from a reporter), pins and records them; a user's add that
 * needs the room lets the least valuable one go instead of failing
 */
import crypto from 'node:crypto'
import { encode, prepare } from '@ipld/dag-pb'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { expect } from 'aegir/chai'
import all from 'it-all'
import { CID } from 'multiformats/cid'
import { identity } from 'multiformats/hashes/identity'
import { sha256 } from 'multiformats/hashes/sha2'
import pWaitFor from 'p-wait-for'
import { add } from '../../src/core/add.js'
import { declaredRoot, fill, fillHistory } from '../../src/core/fill.js'
import { density, FILL_PIN_NAME, FillRecords } from '../../src/frequency/index.js'
import { payFor, providedIn } from '../utils/fill.js'
import { createPaidRepo, startNode, startPaymentLedger } from '../utils/payments.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'
import type { PeerId } from '@libp2p/interface'

const MIB = 1024 * 1024
const SMALL_TRACKER = { SketchWidth: 16_384, TopK: 1000 }
const DHT = { Type: 'dhtserver' }

/** The reporter saw 12, 9, 6 and 4 of the requesters want the DAGs, in order */
function observeDemand (reporter: RunningNode, dags: CID[], requesters: PeerId[]): void {
  [12, 9, 6, 4].forEach((count, rank) => {
    requesters.slice(0, count).forEach(peer => { reporter.node.services.frequency?.observeWants(peer, [{ cid: dags[rank].bytes, have: false }]) })
  })
}

/**
 * The two most wanted and one of the next two: the filler's own DHT lookups count at the
 * reporters too, weighing 4 once it has paid them (12 + 4, 9 + 4, 6 + 4, 4 + 4), and the
 * published counts are rounded to two significant bits, so the third and fourth can tie
 */
let dags: CID[]

function expectTopThree (cids: string[]): void {
  expect(cids).to.have.lengthOf(3)
  expect(cids).to.include.members(dags.slice(0, 2).map(dag => dag.toString()))
  expect([dags[2].toString(), dags[3].toString()]).to.include(cids.find(cid => !dags.slice(0, 2).some(dag => dag.toString() === cid)))
}

describe('fill between nodes', function () {
  this.timeout(300_000)
  let ledger: PaymentLedger
  let reporters: RunningNode[]
  let seller: RunningNode
  let filler: RunningNode
  let requesters: PeerId[]

  before(async () => {
    ledger = await startPaymentLedger()
    // reporters charge enough that the filler's small fetch from each is paid
    // one at a time: each repo's set-up is a transaction of the issuer's
    reporters = []
    for (let i = 0; i < 2; i++) {
      reporters.push(await startNode(await createPaidRepo(ledger, {
        Routing: DHT,
        Frequency: SMALL_TRACKER,
        Payments: { PricePerMiB: '0.01' },
        Bitswap: { FreeAllowance: '64KiB' }
      })))
    }
    seller = await startNode(await createPaidRepo(ledger, { Routing: DHT, Frequency: SMALL_TRACKER }))
    filler = await startNode(await createPaidRepo(ledger, {
      Routing: DHT,
      Frequency: SMALL_TRACKER,
      Datastore: { StorageMax: '24MiB' },
      Fill: { Share: 0.5 },
      Payments: { MaxPricePerMiB: '0.1' }
    }))

    for (const peer of [...reporters, seller]) {
      await filler.node.helia.libp2p.dial(peer.node.helia.libp2p.getMultiaddrs())
    }

    // four DAGs of 3 MiB the seller holds
    dags = []
    for (let i = 0; i < 4; i++) {
      dags.push(await seller.node.fs.addBytes(crypto.randomBytes(3 * MIB)))
      await all(seller.node.helia.pins.add(dags[i]))
    }

    // the filler pays each reporter for something small: money exchanged makes a reporter's word count
    for (const reporter of reporters) {
      await payFor(filler, reporter)
    }

    // Zipf-like demand the reporters saw: 12, 9, 6 and 4 requesters
    requesters = await Promise.all(Array.from({ length: 12 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    reporters.forEach(reporter => { observeDemand(reporter, dags, requesters) })

    // the DHT knows the seller provides them, once the routing tables have peers
    const everyone = [...reporters, seller, filler]
    await pWaitFor(() => everyone.every(node => (node.node.services.dht as any)?.routingTable.size > 0), { timeout: 30_000 })

    for (const dag of dags) {
      await providedIn(seller, filler, dag)
    }
  })

  after(async () => {
    await filler?.stop()
    await seller?.stop()
    await Promise.all((reporters ?? []).map(async reporter => reporter.stop()))
    await ledger?.local.stop()
  })

  it('plans the top DAGs that fit its share in a dry run, and buys nothing', async () => {
    const round = await fill(filler.node, { dryRun: true })

    // the seller answers too, with an empty list
    expect(round.lists).to.equal(3)
    expectTopThree(round.planned.map(item => item.cid.toString()))
    expect(await filler.node.helia.pins.isPinned(dags[0])).to.be.false()
  })

  it('buys them from the seller, never from a reporter, pins and provides them', async () => {
    const fillerId = filler.node.helia.libp2p.peerId
    const servedBefore = reporters.map(reporter => reporter.peerTraffic.get(fillerId).bytesSent)
    const events: string[] = []
    const round = await fill(filler.node, { onProgress: (event) => { events.push(event.type) } })

    expect(round.failed).to.be.empty()
    expectTopThree(round.fetched.map(item => item.cid))
    expect(Number(round.bytes)).to.be.within(9 * MIB, 9.2 * MIB)
    expect(events).to.include.members(['fill:collected', 'fill:planned', 'fill:dag', 'fill:progress', 'fill:dag-done'])

    for (const dag of round.fetched) {
      const pin = await filler.node.helia.pins.get(CID.parse(dag.cid))
      expect(pin.metadata.name).to.equal(FILL_PIN_NAME)
    }

    const left = dags.filter(dag => !round.fetched.some(item => item.cid === dag.toString()))
    expect(left).to.have.lengthOf(1)
    expect(await filler.node.helia.pins.isPinned(left[0])).to.be.false()
    // the reporters served the filler nothing more
    reporters.forEach((reporter, i) => {
      expect(reporter.peerTraffic.get(fillerId).bytesSent).to.equal(servedBefore[i])
    })
    expect(Number(seller.peerTraffic.get(fillerId).bytesSent)).to.be.above(9 * MIB)
    expect((await fillHistory(filler.node, 10)).map(history => history.fetched.length)).to.deep.equal([3, 0])
  })

  it('lets the least valuable DAG go when the user adds more than the free room', async () => {
    // the least valuable of what fill holds goes first
    const held = (await new FillRecords(filler.repo.datastore).dags()).sort((a, b) => density(a) - density(b))
    const { size, max } = filler.repo.blockstore.stat()
    const content = crypto.randomBytes(Number(max - size) + 2 * MIB)
    const added = await all(add(filler.node, [{ path: 'big.bin', content }]))

    expect(added).to.have.lengthOf(1)
    expect(await filler.node.helia.pins.isPinned(added[0].cid)).to.be.true()
    const [latest] = await fillHistory(filler.node, 1)
    expect(latest.stopped).to.equal('room for the user')
    expect(latest.evicted.map(item => item.cid)).to.deep.equal([held[0].cid])
    expect(await filler.node.helia.pins.isPinned(CID.parse(held[0].cid))).to.be.false()

    for (const kept of held.slice(1)) {
      expect(await filler.node.helia.pins.isPinned(CID.parse(kept.cid))).to.be.true()
    }
  })
})

describe('fill: a root block', () => {
  it('is read by its dag-pb node when a list names it as raw, and by its bytes when it is raw', async () => {
    const links = [1, 2].map(i => ({ Hash: CID.createV1(0x55, identity.digest(Uint8Array.of(i))), Tsize: 1000 * i }))
    const bytes: Uint8Array = encode(prepare({ Data: new Uint8Array(2), Links: links })) as any
    const digest = await sha256.digest(bytes)
    const node = CID.createV1(0x70, digest)

    // a DHT key carries no codec: the list says raw
    const listed = declaredRoot(CID.createV1(0x55, digest), bytes)
    expect(listed.cid.equals(node)).to.be.true()
    expect(listed.size).to.equal(3000n + BigInt(bytes.byteLength))
    expect(declaredRoot(node, bytes).size).to.equal(listed.size)

    const leaf = crypto.randomBytes(1000)
    const raw = CID.createV1(0x55, await sha256.digest(leaf))
    expect(declaredRoot(raw, leaf)).to.deep.equal({ cid: raw, size: 1000n })
  })
})
