/**
 * Metered bitswap over onion, on a private tor network, with the local
 * ledger: a paying TorPlus client fetches 64 MiB and pays as it goes; an
 * unmodified Helia client (dialling through tor's SOCKS port) gets its
 * allowance at full speed, then the throttle rate, then its new wants are
 * refused; a client that could not pay resumes its fetch once it pays
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { unixfs } from '@helia/unixfs'
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import all from 'it-all'
import pWaitFor from 'p-wait-for'
import { cat } from '../../src/core/cat.js'
import { parseIpfsPath } from '../../src/core/ipfs-path.js'
import { TorNetwork } from '../../src/devnet/tor-network.js'
import { priceOf } from '../../src/payments/pricing.js'
import { toStroops } from '../../src/stellar/amounts.js'
import { ManagedTor, onion, onionConnectionMonitor } from '../../src/transport/index.js'
import { createPlainHelia } from '../utils/helia.js'
import { payUp, sentWhileRefused, untilRefused, untilStalled } from '../utils/metering.js'
import { createOnionPaidRepo, startNode, startPaymentLedger } from '../utils/payments.js'
import { tempDir } from '../utils/repo.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'
import type { CID } from 'multiformats/cid'

const MiB = 1024 * 1024
const PRICE = '0.0100000'
const THROTTLE = 256 * 1024
const FREE = 4 * MiB
/** Bytes served before the throttle: the allowance and 40 MiB of credit */
const CREDIT_END = FREE + 40 * MiB
/** Bytes served before the peer is refused: 6 MiB more */
const DISCONNECT_AT = CREDIT_END + 6 * MiB

describe('metered bitswap over onion', function () {
  this.timeout(400_000)
  let dir: string
  let network: TorNetwork
  let ledger: PaymentLedger
  let provider: RunningNode
  let cid: CID

  /** A client that pays this provider's price */
  const CLIENT = { Payments: { MaxPricePerMiB: PRICE } }

  before(async () => {
    dir = await tempDir('torplus-e2e-metering-')
    network = new TorNetwork({ dir: path.join(dir, 'network'), logger: defaultLogger() })
    await network.start()
    ledger = await startPaymentLedger()
    provider = await startNode(await createOnionPaidRepo(ledger, network, {
      Payments: { PricePerMiB: PRICE, SettleAmount: '1000' },
      Bitswap: {
        FreeAllowance: FREE,
        AllowanceRefreshRate: 0,
        // as the defaults are to the default price: bills for 10 MiB, 8 MiB of them ahead, throttled past 40 MiB
        PaymentThreshold: '0.1000000',
        BillAhead: '0.0800000',
        CreditLimit: '0.4000000',
        DisconnectLimit: '0.4600000',
        ThrottleRate: THROTTLE
      }
    }))
    cid = await provider.node.fs.addBytes(crypto.randomBytes(64 * MiB))
  })

  after(async () => {
    await provider?.stop()
    await ledger?.local.stop()
    await network?.stop()
  })

  it('bills a paying TorPlus client as it fetches 64 MiB; it pays price × bytes within one payment request, never refused and throttled only briefly', async () => {
    const client = await startNode(await createOnionPaidRepo(ledger, network, CLIENT))

    try {
      await client.node.helia.libp2p.dial(provider.node.helia.libp2p.getMultiaddrs(), { signal: AbortSignal.timeout(120_000) })
      const peer = client.node.helia.libp2p.peerId.toString()
      const statuses: string[] = []
      const watch = setInterval(() => { statuses.push(provider.creditGate?.view(peer).status ?? 'unmetered') }, 50)
      await all(client.node.fs.cat(cid, { signal: AbortSignal.timeout(180_000) })).finally(() => { clearInterval(watch) })
      // the last bills wait behind what is in flight: within one request of all paid, once they land
      await pWaitFor(() => (provider.creditGate?.view(peer).unpaid ?? 0n) < toStroops('0.1'), { timeout: 60_000, interval: 200 })

      const served = provider.peerTraffic.get(peer).bytesSent
      const received = provider.payments.peers().find(p => p.peer === peer)?.fromPeer?.received ?? 0n
      const credit = provider.creditGate?.view(peer)
      const due = priceOf(served - (credit?.freeBytes ?? 0n), toStroops(PRICE))
      // what it paid and what it owes is the price of every byte past its allowance, plus at most
      // the 8 MiB billed ahead (each request rounds up to a stroop)
      expect(Number(received + (credit?.unpaid ?? 0n) - due)).to.be.within(0, Number(priceOf(8n * BigInt(MiB), toStroops(PRICE))) + 10)
      expect(Number(received)).to.be.greaterThan(Number(due - toStroops('0.1')))
      // paying ahead keeps its bills paid before the credit limit: never refused, and throttled, if
      // ever, only briefly (a bill waits behind the data in flight: ~3 s here, more on a slow machine)
      expect(statuses).to.include('owing').and.not.include('refused')
      expect(statuses.filter(status => status === 'throttled').length).to.be.below(statuses.length / 10)
    } finally {
      await client.stop()
    }
  })

  it('serves an unmodified Helia client its allowance and credit, throttles it, then refuses its new wants', async () => {
    const tor = new ManagedTor({ dir: path.join(dir, 'helia-tor'), logger: defaultLogger(), extraConfig: network.clientConfig() })
    await tor.start()
    // as a Helia client over tor must be set up: libp2p's default pings (5 s) drop a busy circuit
    const helia = await createPlainHelia({ transports: [onion({ tor })], connectionMonitor: onionConnectionMonitor(60_000) })

    try {
      await helia.libp2p.dial(provider.node.helia.libp2p.getMultiaddrs(), { signal: AbortSignal.timeout(120_000) })
      const peer = helia.libp2p.peerId.toString()
      const controller = new AbortController()
      const fetching = all(unixfs(helia).cat(cid, { signal: controller.signal })).catch(err => err)

      // it cannot pay: served its allowance, then its credit, then throttled up to the disconnect limit
      const { statuses, refusedAt } = await untilRefused(provider, peer, { timeout: 240_000 })
      expect(statuses).to.deep.equal(['free', 'owing', 'throttled', 'refused'])
      expect(Number(refusedAt)).to.be.within(DISCONNECT_AT - 2 * MiB, DISCONNECT_AT + 2 * MiB)

      // then its new wants are held (see sentWhileRefused)
      const held = await sentWhileRefused(provider, peer, refusedAt, 10, THROTTLE)
      expect(held.sent).to.be.below(held.allowed)
      expect(held.status).to.equal('refused')

      controller.abort()
      expect(await fetching).to.be.an('error')
    } finally {
      await helia.stop()
      await tor.stop()
    }
  })

  it('holds the wants of a client that cannot pay; once it pays, its fetch goes on without a restart', async () => {
    // no trustline: it rejects every bill until it has one
    const client = await startNode(await createOnionPaidRepo(ledger, network, CLIENT, { trust: false }))

    try {
      await client.node.helia.libp2p.dial(provider.node.helia.libp2p.getMultiaddrs(), { signal: AbortSignal.timeout(120_000) })
      const peer = client.node.helia.libp2p.peerId.toString()
      // as `torplus cat` reads, two blocks at a time (Bitswap.BlocksInFlight), so wants keep coming
      const fetched = all(await cat(client.node, parseIpfsPath(cid.toString()), { signal: AbortSignal.timeout(240_000), blockReadConcurrency: 2 }))

      await pWaitFor(() => provider.creditGate?.view(peer).status === 'refused', { timeout: 120_000, interval: 200 })
      expect(Number(await untilStalled(provider, peer, 40))).to.be.below(64 * MiB)
      expect(await payUp(ledger, provider, client)).to.include({ status: 'paid' })

      const chunks = await fetched
      expect(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0)).to.equal(64 * MiB)
    } finally {
      await client.stop()
    }
  })
})
