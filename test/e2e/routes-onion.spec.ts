/**
 * Payments through routes over onion, on a private tor network with the
 * local ledger: the relays announce themselves in the onion DHT, where the
 * client finds them (no relay is configured); the client fetches 64 MiB
 * from a provider and pays every bill through three relays, each reached
 * over its own onion; the
 * provider is paid by the last relay alone, and once everything is settled
 * the client's debits are the provider's credits plus the fees of the
 * payments fulfilled, to the stroop
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import all from 'it-all'
import pWaitFor from 'p-wait-for'
import { TorNetwork } from '../../src/devnet/tor-network.js'
import { toStroops } from '../../src/stellar/amounts.js'
import { createOnionPaidRepo, startNode, startPaymentLedger } from '../utils/payments.js'
import { tempDir } from '../utils/repo.js'
import { connectAll } from '../utils/routes.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'

const MiB = 1024 * 1024
const PRICE = '0.0100000'
const SETTLE = { SettleAmount: '1000', SettleInterval: 3_600_000 }

describe('payment routes over onion', function () {
  this.timeout(600_000)
  let network: TorNetwork
  let ledger: PaymentLedger
  let provider: RunningNode
  let client: RunningNode
  const relays: RunningNode[] = []
  const address = (node: RunningNode): string => node.node.wallet.address

  before(async () => {
    const dir = await tempDir('torplus-e2e-routes-')
    network = new TorNetwork({ dir: path.join(dir, 'network'), logger: defaultLogger() })
    await network.start()
    ledger = await startPaymentLedger()

    // a DHT of the five: everybody joins through the first relay
    const routing = (): Record<string, unknown> => ({ Type: 'dhtserver', Bootstrap: relays.slice(0, 1).map(relay => relay.node.helia.libp2p.getMultiaddrs()[0].toString()) })

    for (let i = 0; i < 3; i++) {
      relays.push(await startNode(await createOnionPaidRepo(ledger, network, { Routing: routing(), Payments: { ...SETTLE, Relay: { Enabled: true }, Routes: { Hops: 0 } } })))
    }

    provider = await startNode(await createOnionPaidRepo(ledger, network, {
      Routing: routing(),
      Payments: { ...SETTLE, PricePerMiB: PRICE, Routes: { Hops: 0 } },
      // bills every 10 MiB, 8 of them ahead, as the defaults are to the default price
      Bitswap: { FreeAllowance: 0, PaymentThreshold: '0.1000000', BillAhead: '0.0800000', CreditLimit: '0.4000000', DisconnectLimit: '0.4600000' }
    }))
    client = await startNode(await createOnionPaidRepo(ledger, network, {
      Routing: routing(),
      Payments: { ...SETTLE, MaxPricePerMiB: PRICE, Routes: { Hops: 3, Fallback: 'refuse' } }
    }))
    await connectAll([...relays, provider, client])

    // a relay announces itself as it starts (reaching whatever DHT peers it has then) and again a minute
    // later; the client looks relays up ahead of its first payment, again and again while it knows too few
    await pWaitFor(() => client.payments.routes().relays.length === relays.length, { timeout: 240_000, interval: 1_000 })
  })

  after(async () => {
    await Promise.all([...relays, provider, client].map(async node => node?.stop()))
    await ledger?.local.stop()
    await network?.stop()
  })

  it('pays for a 64 MiB metered fetch through three relays; the provider sees only the last, and every stroop adds up', async () => {
    const cid = await provider.node.fs.addBytes(crypto.randomBytes(64 * MiB))
    const peer = client.node.helia.libp2p.peerId.toString()
    const before = await Promise.all([client, ...relays, provider].map(async node => ledger.assetBalance(address(node))))

    const bytes = (await all(client.node.fs.cat(cid, { signal: AbortSignal.timeout(300_000) }))).reduce((sum, chunk) => sum + chunk.byteLength, 0)
    expect(bytes).to.equal(64 * MiB)
    await pWaitFor(() => (provider.creditGate?.view(peer).unpaid ?? 0n) < toStroops('0.1'), { timeout: 120_000, interval: 500 })

    // every payment the provider took came through a route: its tabs hold no version of the client's
    expect(provider.payments.tabs().some(tab => tab.payer === address(client))).to.equal(false)
    // the last preimages travel back, then everything is settled
    await pWaitFor(() => client.payments.books.routedList().every(routed => routed.state !== 'pending'), { timeout: 60_000, interval: 500 })
    // bills queue behind each other while bytes flow, so a few carry the whole fetch; none failed
    const routes = client.payments.routes()
    expect(routes.paid).to.be.at.least(2)
    expect(routes.failed).to.equal(0)
    await pWaitFor(() => [...relays, provider].every(node => node.payments.tabs(['open']).every(tab => tab.held == null)), { timeout: 60_000, interval: 500 })
    await Promise.all([...relays, provider].map(async node => node.payments.settle()))

    const after = await Promise.all([client, ...relays, provider].map(async node => ledger.assetBalance(address(node))))
    const moved = after.map((balance, i) => (balance ?? 0n) - (before[i] ?? 0n))
    const received = provider.payments.peers().find(entry => entry.peer === peer)?.fromPeer?.received ?? 0n
    const fulfilled = client.payments.books.routedList(['fulfilled'])
    const fees = fulfilled.reduce((sum, routed) => sum + (routed.out?.amount ?? 0n) - (routed.request?.amount ?? 0n), 0n)

    // the client's debits: what the provider credited it with, plus the fees; the relays earned exactly the fees
    expect(-moved[0]).to.equal(fulfilled.reduce((sum, routed) => sum + (routed.out?.amount ?? 0n), 0n))
    expect(moved.reduce((sum, delta) => sum + delta, 0n)).to.equal(0n)
    expect(moved[1] + moved[2] + moved[3] + (moved[4] - received)).to.equal(fees)
    expect(moved[4] >= received, 'the provider is paid at least what it credited').to.equal(true)

    const payers = new Set((await ledger.server.payments().forAccount(address(provider)).limit(200).call()).records
      .filter((payment: any) => payment.to === address(provider) && payment.type === 'payment' && payment.from !== ledger.issuer)
      .map((payment: any) => payment.from))
    expect(payers.size).to.equal(1)
    expect(relays.map(address)).to.include([...payers][0])

    // the route's relays came from the DHT
    expect(client.payments.routes().relays.map(relay => relay.peer).sort()).to.deep.equal(relays.map(relay => relay.node.helia.libp2p.peerId.toString()).sort())
  })
})
