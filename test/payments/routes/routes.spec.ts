/**
 * Payments through routes of three relays, between in-process nodes on
 * loopback and settled on the local ledger: the provider bills, the client
 * pays through the relays, each hop is paid exactly its fee, and the
 * provider's books and its ledger history name only the last relay
 */
import crypto from 'node:crypto'
import { Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk'
import { expect } from 'aegir/chai'
import all from 'it-all'
import pWaitFor from 'p-wait-for'
import { fromStroops } from '../../../src/stellar/amounts.js'
import { MANUAL_BILLING, createPaidRepo, startNode, startPaymentLedger } from '../../utils/payments.js'
import { connectAll } from '../../utils/routes.js'
import type { RoutedPayment } from '../../../src/payments/books/index.js'
import type { PaymentLedger, RunningNode } from '../../utils/payments.js'

const PRICE = '0.0100000'
const FEE_BASE = 100n
const FEE_PPM = 1000n

describe('payment routes', function () {
  this.timeout(180_000)
  let ledger: PaymentLedger
  let provider: RunningNode
  let client: RunningNode
  let other: RunningNode
  let relays: RunningNode[]
  const address = (node: RunningNode): string => node.node.wallet.address
  const id = (node: RunningNode): string => node.node.helia.libp2p.peerId.toString()

  before(async () => {
    ledger = await startPaymentLedger()
    const settle = { SettleAmount: '1000', SettleInterval: 3_600_000 }
    relays = []

    // one at a time: each is funded from the issuer's account
    for (let i = 0; i < 3; i++) {
      relays.push(await startNode(await createPaidRepo(ledger, { Payments: { ...settle, Relay: { Enabled: true, FeeBase: '0.00001', FeePPM: Number(FEE_PPM) }, Routes: { Hops: 0 } } })))
    }

    provider = await startNode(await createPaidRepo(ledger, { Payments: { ...settle, PricePerMiB: PRICE, Routes: { Hops: 0 } }, Bitswap: MANUAL_BILLING }))
    const relayAddresses = relays.map(relay => `${relay.node.helia.libp2p.getMultiaddrs()[0].toString()}`)
    client = await startNode(await createPaidRepo(ledger, { Payments: { ...settle, MaxPricePerMiB: '0.0200000', Routes: { Hops: 3, Relays: relayAddresses, Fallback: 'refuse' } } }))
    other = await startNode(await createPaidRepo(ledger, { Payments: { ...settle, MaxPricePerMiB: '0.0200000', Routes: { Hops: 3, Relays: relayAddresses, Fallback: 'refuse' } } }))

    // every node knows every other's address, as the DHT would tell them
    await connectAll([...relays, provider, client, other])
  })

  after(async () => {
    await Promise.all([...(relays ?? []), provider, client, other].map(async node => node?.stop()))
    await ledger?.local.stop()
  })

  it('pays a bill through three relays, each paid its fee to the stroop, the provider seeing only the last', async () => {
    const cid = await provider.node.fs.addBytes(crypto.randomBytes(1024 * 1024))
    await all(client.node.fs.cat(cid, { signal: AbortSignal.timeout(30_000) }))

    const outcome = await provider.payments.bill(client.node.helia.libp2p.peerId)
    expect(outcome).to.have.property('status', 'paid')
    const amount = outcome.status === 'paid' ? outcome.amount : 0n

    // the preimage travels back: every hop ends with an unconditional version
    const routed = client.payments.books.routedList()[0]
    expect(routed).to.have.property('hash')
    await pWaitFor(() => client.payments.books.routed(routed.hash)?.state === 'fulfilled' && relays.every(relay => relay.payments.books.routed(routed.hash)?.state === 'fulfilled'), { timeout: 30_000 })
    await pWaitFor(() => [...relays, provider].every(node => node.payments.tabs(['open']).every(tab => tab.held == null)), { timeout: 30_000 })

    const [guard, last] = [client.payments.books.routed(routed.hash)?.out?.peer, provider.payments.books.routed(routed.hash)?.in?.peer]
    const path: string[] = [guard ?? '']

    while (path.length < 4) {
      const next = relays.find(relay => id(relay) === path[path.length - 1])?.payments.books.routed(routed.hash)?.out?.peer
      path.push(next ?? '')
    }

    expect(path[3]).to.equal(id(provider))
    expect(path[2]).to.equal(last)
    expect(new Set(path.slice(0, 3))).to.deep.equal(new Set(relays.map(id)))

    // each hop forwards what it received less its fee
    const amounts = [client.payments.books.routed(routed.hash)?.out?.amount ?? 0n, ...path.slice(0, 3).map(hop => relays.find(relay => id(relay) === hop)?.payments.books.routed(routed.hash)?.out?.amount ?? 0n)]
    expect(amounts[3] >= amount, `the provider gets at least the ${amount} it asked`).to.equal(true)

    for (let i = 0; i < 3; i++) {
      const out = amounts[i + 1]
      expect(amounts[i] - out).to.equal(FEE_BASE + (out * FEE_PPM + 999_999n) / 1_000_000n, `fee of hop ${i}`)
    }

    // settled: the client's account pays the first leg, the provider's is paid by the last relay alone
    const before = await Promise.all([client, ...relays, provider].map(async node => ledger.assetBalance(address(node))))
    await Promise.all([...relays, provider].map(async node => node.payments.settle()))
    const after = await Promise.all([client, ...relays, provider].map(async node => ledger.assetBalance(address(node))))
    const moved = after.map((balance, i) => (balance ?? 0n) - (before[i] ?? 0n))

    expect(moved[0]).to.equal(-amounts[0])
    expect(moved[4]).to.equal(amounts[3])
    expect(moved.reduce((sum, delta) => sum + delta, 0n)).to.equal(0n)

    for (const [i, relay] of relays.entries()) {
      const hop = path.indexOf(id(relay))
      expect(moved[i + 1], `relay at hop ${hop}`).to.equal(amounts[hop] - amounts[hop + 1])
    }

    // what the operators see
    const routes = client.payments.routes()
    expect(routes).to.include({ hops: 3, paid: 1, failed: 0, guard: path[0] })
    expect(routes.fees).to.equal(amounts[0] - amount)
    expect(routes.sessions.map(session => session.relays)).to.deep.equal([path.slice(0, 3)])

    for (const [hop, peer] of path.slice(0, 3).entries()) {
      const relay = relays.find(relay => id(relay) === peer)?.payments.relay()
      expect(relay).to.include({ enabled: true, forwarded: 1, fulfilled: 1, failed: 0 })
      expect(relay?.earned).to.equal(amounts[hop] - amounts[hop + 1])
    }

    const payments = await ledger.server.payments().forAccount(address(provider)).limit(200).call()
    const payers = new Set(payments.records.filter((payment: any) => payment.to === address(provider) && payment.type === 'payment' && payment.from !== ledger.issuer).map((payment: any) => payment.from))
    expect([...payers]).to.deep.equal(relays.filter(relay => id(relay) === last).map(address))
    expect(provider.payments.tabs().some(tab => tab.payer === address(client))).to.equal(false)
  })

  it('pays the bills of two clients at once through the same relays: their locks take turns on shared legs, and every stroop adds up', async () => {
    const clients = [client, other]
    const nodes = [...clients, ...relays, provider]
    const before = await Promise.all(nodes.map(async node => ledger.assetBalance(address(node))))
    const cid = await provider.node.fs.addBytes(crypto.randomBytes(4 * 1024 * 1024))
    await Promise.all(clients.map(async node => all(node.node.fs.cat(cid, { signal: AbortSignal.timeout(30_000) }))))
    const served = (node: RunningNode): bigint => provider.peerTraffic.get(id(node)).bytesSent
    const began = Date.now()

    // four bills each, one client's racing the other's
    await Promise.all(clients.map(async node => {
      const start = provider.payments.peers().find(entry => entry.peer === id(node))?.fromPeer?.paidThrough ?? 0n

      for (let i = 1n; i <= 4n; i++) {
        const outcome = await provider.payments.bill(node.node.helia.libp2p.peerId, { rangeEnd: start + (served(node) - start) * i / 4n })
        expect(outcome.status, JSON.stringify(outcome, (_, value) => typeof value === 'bigint' ? value.toString() : value)).to.equal('paid')
      }
    }))

    const ours = (node: RunningNode): RoutedPayment[] => node.payments.books.routedList().filter(routed => routed.createdAt >= began)
    await pWaitFor(() => clients.every(node => ours(node).every(routed => routed.state === 'fulfilled')), { timeout: 60_000 })
    await pWaitFor(() => [...relays, provider].every(node => node.payments.tabs(['open']).every(tab => tab.held == null)), { timeout: 30_000 })
    await Promise.all([...relays, provider].map(async node => node.payments.settle()))
    const after = await Promise.all(nodes.map(async node => ledger.assetBalance(address(node))))
    const moved = after.map((balance, i) => (balance ?? 0n) - (before[i] ?? 0n))

    for (const [i, node] of clients.entries()) {
      expect(ours(node)).to.have.lengthOf(4)
      expect(-moved[i]).to.equal(ours(node).reduce((sum, routed) => sum + (routed.out?.amount ?? 0n), 0n))
    }

    // the provider is paid what reached it; the relays keep the rest, the fees
    const reached = provider.payments.books.routedList().filter(routed => routed.createdAt >= began && routed.in != null).reduce((sum, routed) => sum + (routed.in?.amount ?? 0n), 0n)
    expect(moved[nodes.length - 1]).to.equal(reached)
    expect(moved.reduce((sum, delta) => sum + delta, 0n)).to.equal(0n)
  })

  it('a last relay that empties its account before the provider settles costs the provider one payment, and is refused after', async () => {
    const cid = await provider.node.fs.addBytes(crypto.randomBytes(512 * 1024))
    await all(client.node.fs.cat(cid, { signal: AbortSignal.timeout(30_000) }))
    expect(await provider.payments.bill(client.node.helia.libp2p.peerId)).to.have.property('status', 'paid')
    const [routed] = client.payments.books.routedList()
    await pWaitFor(() => client.payments.books.routed(routed.hash)?.state === 'fulfilled', { timeout: 30_000 })
    await pWaitFor(() => provider.payments.tabs(['open']).every(tab => tab.held == null), { timeout: 30_000 })
    const last = relays.find(relay => id(relay) === provider.payments.books.routed(routed.hash)?.in?.peer)

    if (last == null) {
      expect.fail('the provider names no last relay')
    }

    // the last relay moves its whole balance away
    const keys = Keypair.fromRawEd25519Seed(Buffer.from(last.repo.stellarSeed))
    const asset = last.node.wallet.asset
    const drain = new TransactionBuilder(await ledger.server.loadAccount(keys.publicKey()), { fee: '100', networkPassphrase: last.node.wallet.passphrase })
      .addOperation(Operation.payment({ destination: ledger.issuer, asset, amount: fromStroops(await ledger.assetBalance(keys.publicKey()) ?? 0n) }))
      .setTimeout(30)
      .build()
    drain.sign(keys)
    await ledger.server.submitTransaction(drain)

    const before = await ledger.assetBalance(address(provider)) ?? 0n
    const tabs = await provider.payments.settle()
    const bounced = tabs.filter(tab => tab.peer === id(last))
    expect(bounced.map(tab => [tab.state, tab.result])).to.deep.equal([['failed', 'tx_failed,op_underfunded']])
    // the provider lost what that leg held, no more: it had credited the client for it
    expect(await ledger.assetBalance(address(provider))).to.equal(before + tabs.filter(tab => tab.state === 'settled').reduce((sum, tab) => sum + tab.total, 0n))
    expect(provider.payments.peers().find(entry => entry.peer === id(last))?.fromPeer?.refused).to.equal(true)
  })

  it('a request answered without a route leaves no lock behind: its preimage is forgotten, and a lock for it later finds no request', async () => {
    // a relay routes nothing itself (Hops 0): it answers directly (here it refuses the price: 0.01 is above its MaxPricePerMiB)
    const payer = relays.find(relay => provider.payments.peers().find(entry => entry.peer === id(relay))?.fromPeer?.refused !== true)

    if (payer == null) {
      expect.fail('every relay is refused')
    }

    const cid = await provider.node.fs.addBytes(crypto.randomBytes(256 * 1024))
    await all(payer.node.fs.cat(cid, { signal: AbortSignal.timeout(30_000) }))
    const before = provider.payments.books.routedList().length

    expect(await provider.payments.bill(payer.node.helia.libp2p.peerId)).to.include({ status: 'rejected', code: 'PRICE_TOO_HIGH' })
    expect(provider.payments.books.routedList()).to.have.lengthOf(before)
    expect(provider.payments.books.routedList(['pending'])).to.deep.equal([])
  })

  it('spends no ledger transaction per routed bill: the locks stay off the ledger, and the provider\'s tab that nothing was signed on gives its sequence to the next', async () => {
    const cid = await provider.node.fs.addBytes(crypto.randomBytes(512 * 1024))
    await all(client.node.fs.cat(cid, { signal: AbortSignal.timeout(30_000) }))
    const peer = client.node.helia.libp2p.peerId
    const bill = async (): Promise<void> => {
      const outcome = await provider.payments.bill(peer, { rangeEnd: provider.payments.books.payee(peer.toString()).paidThrough + 64n * 1024n })
      expect(outcome).to.have.property('status', 'paid')
      // the next payment waits for this one's lock on the guard's leg to resolve
      const [routed] = client.payments.books.routedList()
      await pWaitFor(() => client.payments.books.routed(routed.hash)?.state === 'fulfilled', { timeout: 30_000, interval: 50 })
    }

    // transactions that pay nothing, such as a channel's sequence bumped past a tab (a new payer's
    // first tab settles at once, a spare channel account is created: those are payments)
    const overhead = (): number => {
      const paying = new Set(ledger.local.ledger.payments().map(payment => payment.transactionHash))
      return ledger.local.ledger.transactions(tx => !paying.has(tx.hash)).length
    }

    await bill()
    const before = overhead()

    for (let i = 0; i < 4; i++) {
      await bill()
    }

    expect(overhead()).to.equal(before)
  })
})
