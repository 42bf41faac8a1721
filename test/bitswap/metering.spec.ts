/**
 * Metered bitswap on loopback TCP: a paying TorPlus client is billed as it
 * fetches and is never slowed; an unmodified Helia client is served its free
 * allowance and credit, then throttled, then its wants are held (the rates
 * are measured by `npm run bench:metering`); a client that stops paying resumes once it pays, without
 * restarting its fetch
 */
import crypto from 'node:crypto'
import { expect } from 'aegir/chai'
import all from 'it-all'
import pWaitFor from 'p-wait-for'
import { cat } from '../../src/core/cat.js'
import { parseIpfsPath } from '../../src/core/ipfs-path.js'
import { priceOf } from '../../src/payments/pricing.js'
import { toStroops } from '../../src/stellar/amounts.js'
import { createPlainHelia } from '../utils/helia.js'
import { payUp, SCALED_BILLING, sentWhileRefused, untilRefused, untilStalled } from '../utils/metering.js'
import { createPaidRepo, startNode, startPaymentLedger } from '../utils/payments.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'
import type { UnixFS } from '@helia/unixfs'
import type { CID } from 'multiformats/cid'

const MiB = 1024 * 1024
const PRICE = '0.0100000'
const THROTTLE = 256 * 1024

describe('metered bitswap', function () {
  this.timeout(180_000)
  let ledger: PaymentLedger
  let provider: RunningNode
  let cid: CID
  let fs: UnixFS

  before(async () => {
    ledger = await startPaymentLedger()
    provider = await startNode(await createPaidRepo(ledger, {
      Payments: { PricePerMiB: PRICE, SettleAmount: '1000' },
      Bitswap: {
        ...SCALED_BILLING,
        ThrottleRate: THROTTLE,
        MessageTimeout: 60_000
      }
    }))
    fs = provider.node.fs
    cid = await fs.addBytes(crypto.randomBytes(64 * MiB))
  })

  after(async () => {
    await provider?.stop()
    await ledger?.local.stop()
  })

  it('serves an unmodified Helia client its allowance and credit, throttles it, then holds its wants', async () => {
    const helia = await createPlainHelia()

    try {
      await helia.libp2p.dial(provider.node.helia.libp2p.getMultiaddrs())
      const peer = helia.libp2p.peerId.toString()
      const { unixfs } = await import('@helia/unixfs')
      const controller = new AbortController()
      const fetching = all(unixfs(helia).cat(cid, { signal: controller.signal })).catch(err => err)

      // 1 MiB free and 40 MiB of credit, then throttled up to the disconnect limit at 42 MiB
      const { statuses, refusedAt } = await untilRefused(provider, peer, { timeout: 120_000 })
      expect(statuses).to.deep.equal(['free', 'owing', 'throttled', 'refused'])
      expect(Number(refusedAt)).to.be.within(41 * MiB, 44 * MiB)

      // then its new wants are held (see sentWhileRefused)
      const held = await sentWhileRefused(provider, peer, refusedAt, 8, THROTTLE)
      expect(held.sent).to.be.below(held.allowed)
      expect(held.status).to.equal('refused')

      controller.abort()
      expect(await fetching).to.be.an('error')
    } finally {
      await helia.stop()
    }
  })

  it('bills a paying TorPlus client as it fetches 64 MiB; it pays price × bytes within one payment request, and is never refused', async () => {
    const client = await startNode(await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: PRICE } }))

    try {
      await client.node.helia.libp2p.dial(provider.node.helia.libp2p.getMultiaddrs())
      const peer = client.node.helia.libp2p.peerId.toString()
      const statuses: string[] = []
      const watch = setInterval(() => { statuses.push(provider.creditGate?.view(peer).status ?? 'unmetered') }, 50)
      await all(client.node.fs.cat(cid, { signal: AbortSignal.timeout(60_000) })).finally(() => { clearInterval(watch) })

      const served = provider.peerTraffic.get(peer).bytesSent
      const received = provider.payments.peers().find(p => p.peer === peer)?.fromPeer?.received ?? 0n
      const credit = provider.creditGate?.view(peer)
      // what it paid plus what it owes is the price of every byte past its allowance, and at most
      // the 8 MiB billed ahead more (each request rounds up to a stroop)
      const due = priceOf(served - (credit?.freeBytes ?? 0n), toStroops(PRICE))
      expect(Number(received + (credit?.unpaid ?? 0n) - due)).to.be.within(0, Number(priceOf(8n * BigInt(MiB), toStroops(PRICE))) + 10)
      // and it owes less than the credit limit: billing kept up (in one process on loopback blocks
      // are handed to the connection far faster than they are read, up to ~45 MiB while a bill is
      // answered, so a few frames may wait at the throttle until the payment lands)
      expect(Number(credit?.unpaid)).to.be.below(Number(toStroops('0.4000000')))
      expect(Number(received)).to.be.greaterThan(0)
      // never refused; it may wait at the throttle while a bill is answered (above), and the speed it
      // gets, metered and paid against unmetered, is bench:metering's
      expect(statuses).to.not.include('refused')
    } finally {
      await client.stop()
    }
  })

  it('serves a client that will not pay ahead; it pays for no more than it received', async () => {
    const client = await startNode(await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: PRICE, PayAhead: 0 } }))

    try {
      await client.node.helia.libp2p.dial(provider.node.helia.libp2p.getMultiaddrs())
      const peer = client.node.helia.libp2p.peerId.toString()
      await all(client.node.fs.cat(cid, { signal: AbortSignal.timeout(60_000) }))
      // a bill ahead is paid only once the bytes it bills are in (within the 4 MiB ByteTolerance);
      // the last one, ahead of the end of the file, is refused and billed again for what was served
      await pWaitFor(() => (provider.creditGate?.view(peer).unpaid ?? 0n) < toStroops('0.1'), { timeout: 30_000 })

      const served = provider.peerTraffic.get(peer).bytesSent
      const account = provider.payments.peers().find(p => p.peer === peer)?.fromPeer
      const payee = client.payments.peers().find(p => p.peer === provider.node.helia.libp2p.peerId.toString())?.toPeer
      const credit = provider.creditGate?.view(peer)
      const due = priceOf(served - (credit?.freeBytes ?? 0n), toStroops(PRICE))
      expect(Number(payee?.paidThrough)).to.be.at.most(Number(payee?.bytesDelivered) + 4 * MiB)
      expect(Number(account?.received)).to.be.greaterThan(0)
      expect(Number((account?.received ?? 0n) + (credit?.unpaid ?? 0n) - due)).to.be.within(0, Number(priceOf(4n * BigInt(MiB), toStroops(PRICE))) + 10)
    } finally {
      await client.stop()
    }
  })

  it('holds the wants of a client that does not pay; once it pays, its fetch goes on without a restart', async () => {
    const strict = await startNode(await createPaidRepo(ledger, {
      Payments: { PricePerMiB: PRICE, SettleAmount: '1000' },
      Bitswap: { FreeAllowance: 0, PaymentThreshold: '0.0100000', CreditLimit: '0.0200000', DisconnectLimit: '0.0300000', ThrottleRate: '1MiB' }
    }))
    // no trustline: it rejects every bill until it has one
    const client = await startNode(await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: PRICE } }, { trust: false }))

    try {
      const content = await strict.node.fs.addBytes(crypto.randomBytes(16 * MiB))
      await client.node.helia.libp2p.dial(strict.node.helia.libp2p.getMultiaddrs())
      const peer = client.node.helia.libp2p.peerId.toString()
      // as `torplus cat` reads, two blocks at a time (Bitswap.BlocksInFlight), so wants keep coming
      const fetched = all(await cat(client.node, parseIpfsPath(content.toString()), { signal: AbortSignal.timeout(90_000), blockReadConcurrency: 2 }))

      await pWaitFor(() => strict.creditGate?.view(peer).status === 'refused', { timeout: 20_000 })
      await untilStalled(strict, peer, 15)

      // (usually short of the whole file; in one CI run the client had asked for every block before it was refused)
      expect(strict.creditGate?.view(peer).status).to.equal('refused')

      // it can pay now; the provider's operator bills it
      expect(await payUp(ledger, strict, client)).to.include({ status: 'paid' })

      const chunks = await fetched
      expect(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0)).to.equal(16 * MiB)
    } finally {
      await client.stop()
      await strict.stop()
    }
  })
})
