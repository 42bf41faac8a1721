/**
 * Peers that misbehave on bitswap cannot grow a provider's memory without
 * bound: wantlist floods, wants for blocks it never had, wants cancelled
 * as fast as they come, and a flood of want streams from a peer whose wants
 * are held
 */
import crypto from 'node:crypto'
import v8 from 'node:v8'
import vm from 'node:vm'
import { lpStream } from '@libp2p/utils'
import { expect } from 'aegir/chai'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import pWaitFor from 'p-wait-for'
import { BITSWAP_PROTOCOL } from '../../src/bitswap/constants.js'
import { createPaidRepo, startNode, startPaymentLedger } from '../utils/payments.js'
import { wantlistMessage } from '../utils/protobuf.js'
import { createRoguePeer } from '../utils/rogue.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'
import type { Libp2p } from '@libp2p/interface'

async function randomCids (count: number): Promise<CID[]> {
  return Promise.all(Array.from({ length: count }, async () => CID.createV1(0x55, await sha256.digest(crypto.randomBytes(16)))))
}

v8.setFlagsFromString('--expose-gc')
const gc: () => void = vm.runInNewContext('gc')

async function heapAfterGc (): Promise<number> {
  // let pending streams and timers settle first
  await new Promise(resolve => setTimeout(resolve, 1000))
  gc()
  return process.memoryUsage().heapUsed
}

describe('bitswap against misbehaving peers', function () {
  this.timeout(120_000)
  let ledger: PaymentLedger
  let provider: RunningNode
  let rogue: Libp2p
  let dropped = 0

  async function send (message: Uint8Array): Promise<void> {
    const stream = await rogue.dialProtocol(provider.node.helia.libp2p.peerId, BITSWAP_PROTOCOL)
    await lpStream(stream).write(message)
    await stream.close().catch(() => {})
  }

  async function metric (name: string): Promise<number> {
    return Number((new RegExp(`^${name} (\\d+)$`, 'm').exec(await provider.node.registry.metrics()) ?? [])[1] ?? 0)
  }

  before(async () => {
    ledger = await startPaymentLedger()
    provider = await startNode(await createPaidRepo(ledger, { Payments: { PricePerMiB: '0.01' } }))
    rogue = await createRoguePeer()
    // it reads and drops the blocks it is sent
    await rogue.handle(BITSWAP_PROTOCOL, async (stream) => {
      for await (const chunk of stream) {
        dropped += chunk.byteLength
      }
    })
    await rogue.dial(provider.node.helia.libp2p.getMultiaddrs())
  })

  after(async () => {
    await rogue?.stop()
    await provider?.stop()
    await ledger?.local.stop()
  })

  it('keeps its memory through 200,000 wants for blocks it never had, and as many cancels', async () => {
    const before = await heapAfterGc()

    for (let round = 0; round < 20; round++) {
      const cids = await randomCids(10_000)
      await send(wantlistMessage(cids))
      await send(wantlistMessage(cids.slice(0, 5_000), { cancel: true }))
    }

    // what it still holds of them: at most @helia/bitswap's 1024 wants per peer
    const growth = (await heapAfterGc()) - before
    expect(growth).to.be.below(40 * 1024 * 1024)

    // and it still serves
    const cid = await provider.node.fs.addBytes(crypto.randomBytes(1024))
    expect(await provider.node.helia.blockstore.has(cid)).to.be.true()
  })

  it('holds at most 8 want streams of a refused peer and resets the rest', async () => {
    const peer = rogue.peerId.toString()
    // it owes nothing until served: serve it 24 raw blocks of 1 MiB, past its 16 MiB allowance and the disconnect limit
    const blocks: CID[] = []

    for (let i = 0; i < 24; i++) {
      const bytes = crypto.randomBytes(1024 * 1024)
      const cid = CID.createV1(0x55, await sha256.digest(bytes))
      await provider.node.helia.blockstore.put(cid, bytes)
      blocks.push(cid)
    }

    await send(wantlistMessage(blocks))
    await pWaitFor(() => provider.creditGate?.view(peer).status === 'refused', { timeout: 30_000 })

    const refusedBefore = await metric('torplus_bitswap_refused_streams_total')
    // 20 streams of wants: 8 held until it pays, the other 12 reset
    await Promise.all(Array.from({ length: 20 }, async () => send(wantlistMessage([blocks[0]])).catch(() => {})))
    await pWaitFor(async () => await metric('torplus_bitswap_refused_streams_total') - refusedBefore >= 12, { timeout: 10_000 })
    expect(await metric('torplus_bitswap_held_streams')).to.equal(8)
    expect(await metric('torplus_bitswap_refused_streams_total') - refusedBefore).to.equal(12)
    expect(dropped).to.be.greaterThan(16 * 1024 * 1024)
  })
})
