/**
 * Routes against hops that misbehave, on loopback and the local ledger with
 * short expiries: a hop that keeps the preimage and never pays its
 * downstream unconditionally (the downstream claims its lock on the ledger,
 * and the withholder can only read the preimage there to be paid itself),
 * a hop that vanishes with the session open (the payment fails fast,
 * nothing moves, and the bill is paid again through a spare route), and a
 * hop whose claim reaches the ledger only after its lock expired (it settles
 * the version before the lock: it loses that one payment, nobody else
 * anything). Every balance is checked to the stroop.
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { expect } from 'aegir/chai'
import all from 'it-all'
import pWaitFor from 'p-wait-for'
import { updateConfigFile } from '../../../src/config/index.js'
import { startHoldingProxy } from '../../utils/holding-proxy.js'
import { MANUAL_BILLING, createPaidRepo, startNode, startPaymentLedger } from '../../utils/payments.js'
import { connectAll, interceptRoutes } from '../../utils/routes.js'
import type { RoutedPayment } from '../../../src/payments/books/index.js'
import type { HoldingProxy } from '../../utils/holding-proxy.js'
import type { PaymentLedger, RunningNode } from '../../utils/payments.js'

const SHORT = { FinalDelta: 5_000, ClaimMargin: 2_000 }
const SETTLE = { SettleAmount: '1000', SettleInterval: 3_600_000 }

describe('payment routes against hostile hops', function () {
  this.timeout(240_000)
  let ledger: PaymentLedger
  // between the relays and the ledger
  let proxy: HoldingProxy
  let provider: RunningNode
  let client: RunningNode
  let relays: RunningNode[]
  const stopped = new Set<RunningNode>()
  const address = (node: RunningNode): string => node.node.wallet.address
  const id = (node: RunningNode): string => node.node.helia.libp2p.peerId.toString()
  const byId = (peer: string | undefined): RunningNode | undefined => [...relays, provider, client].find(node => id(node) === peer)

  /** The hops of a routed payment, client first, payee last */
  function pathOf (hash: string): RunningNode[] {
    const path = [client]

    while (path.length < 5) {
      const next = byId(path[path.length - 1].payments.books.routed(hash)?.out?.peer)

      if (next == null) {
        break
      }

      path.push(next)
    }

    return path
  }

  /** Each hop moved what it received less what it forwarded: the client paid the first leg, the provider got the last */
  function expectPaidAlong (path: RunningNode[], amounts: bigint[], moved: (node: RunningNode) => bigint): void {
    expect(moved(client)).to.equal(-amounts[0])

    for (let hop = 1; hop < 4; hop++) {
      expect(moved(path[hop]), `hop ${hop}`).to.equal(amounts[hop - 1] - amounts[hop])
    }

    expect(moved(provider)).to.equal(amounts[3])
  }

  async function bill (): Promise<{ status: string }> {
    const cid = await provider.node.fs.addBytes(crypto.randomBytes(256 * 1024))
    await all(client.node.fs.cat(cid, { signal: AbortSignal.timeout(30_000) }))
    return provider.payments.bill(client.node.helia.libp2p.peerId)
  }

  /** Bill and see it paid: the payment, its hops, and what each hop forwarded */
  async function paidRoute (): Promise<{ routed: RoutedPayment, path: RunningNode[], amounts: bigint[] }> {
    expect(await bill()).to.have.property('status', 'paid')
    const [routed] = client.payments.books.routedList()
    const path = pathOf(routed.hash)
    expect(path).to.have.lengthOf(5)
    return { routed, path, amounts: path.slice(0, 4).map(hop => hop.payments.books.routed(routed.hash)?.out?.amount ?? 0n) }
  }

  async function balances (): Promise<Map<RunningNode, bigint>> {
    const nodes = [client, ...relays, provider].filter(node => !stopped.has(node))
    return new Map(await Promise.all(nodes.map(async node => [node, await ledger.assetBalance(address(node)) ?? 0n] as [RunningNode, bigint])))
  }

  before(async () => {
    ledger = await startPaymentLedger()
    relays = []

    // six, so that with the guard's leg locked by a failed payment and the relays past it passed over, a spare route remains
    proxy = await startHoldingProxy(ledger.local.url)

    for (let i = 0; i < 6; i++) {
      const repo = await createPaidRepo(ledger, { Payments: { ...SETTLE, Relay: { Enabled: true, ExpiryDelta: 5_000 }, Routes: { ...SHORT, Hops: 0 } } })
      await updateConfigFile(path.join(repo, 'config'), { 'Payments.Horizon': proxy.url })
      relays.push(await startNode(repo))
    }

    provider = await startNode(await createPaidRepo(ledger, { Payments: { ...SETTLE, PricePerMiB: '0.0100000', RequestExpiry: 20_000, Routes: { ...SHORT, Hops: 0 } }, Bitswap: MANUAL_BILLING }))
    client = await startNode(await createPaidRepo(ledger, { Payments: { ...SETTLE, MaxPricePerMiB: '0.0200000', Routes: { ...SHORT, Hops: 3, Relays: relays.map(relay => relay.node.helia.libp2p.getMultiaddrs()[0].toString()), Fallback: 'refuse' } } }))
    await connectAll([...relays, provider, client])
  })

  after(async () => {
    await Promise.all([...(relays ?? []), provider, client].filter(node => !stopped.has(node)).map(async node => node?.stop()))
    await proxy?.stop()
    await ledger?.local.stop()
  })

  it('a guard that keeps the preimage is claimed from on the ledger, and is paid only by reading it there', async () => {
    // whichever relay is the guard drops every preimage passed to it
    const payer = client
    const guard = (): string | undefined => payer.payments.books.routedList()[0]?.out?.peer

    for (const relay of relays) {
      await interceptRoutes(relay, message => message.fulfill != null && guard() === id(relay))
    }

    const before = await balances()
    const { routed, path, amounts } = await paidRoute()

    // the second hop, never paid by the guard, lands the guard's lock with the preimage before it expires
    await pWaitFor(() => path[2].payments.tabs(['settled']).some(tab => tab.peer === id(path[1]) && tab.total === amounts[1]), { timeout: 60_000, interval: 500 })
    // the guard reads the preimage off the ledger and collects from the client
    await pWaitFor(() => client.payments.books.routed(routed.hash)?.state === 'fulfilled', { timeout: 30_000, interval: 500 })

    await Promise.all([...relays, provider].map(async node => node.payments.settle()))
    const after = await balances()
    const moved = (node: RunningNode): bigint => (after.get(node) ?? 0n) - (before.get(node) ?? 0n)

    expectPaidAlong(path, amounts, moved)
  })

  it('a hop that vanishes fails the payment at once and moves nothing; the bill is paid again through a spare route', async () => {
    const [earlier] = client.payments.books.routedList()
    const oldPath = pathOf(earlier.hash)
    const vanished = oldPath[2]
    await vanished.stop()
    stopped.add(vanished)
    const before = await balances()

    const refused = await bill()
    expect(refused).to.have.property('status', 'rejected')
    const [failed] = client.payments.books.routedList()
    expect(failed).to.have.property('state', 'failed')

    const paid = await bill()
    expect(paid, JSON.stringify(paid, (_, value) => typeof value === 'bigint' ? value.toString() : value)).to.have.property('status', 'paid')
    const [routed] = client.payments.books.routedList()
    const path = pathOf(routed.hash)
    expect(path).to.have.lengthOf(5)
    // the guard's leg is locked by the failed payment, and the hops past it are passed over
    expect(path.slice(1, 4)).to.not.include.members(oldPath.slice(1, 4))
    await pWaitFor(() => path.every(hop => hop.payments.books.routed(routed.hash)?.state === 'fulfilled'), { timeout: 30_000, interval: 200 })

    const amounts = path.slice(0, 4).map(hop => hop.payments.books.routed(routed.hash)?.out?.amount ?? 0n)
    await Promise.all([...relays, provider].filter(node => !stopped.has(node)).map(async node => node.payments.settle()))
    const after = await balances()
    const moved = (node: RunningNode): bigint => (after.get(node) ?? 0n) - (before.get(node) ?? 0n)

    // only the second payment moved money: the failed one's locks lapse unclaimed
    expectPaidAlong(path, amounts, moved)

    for (const relay of relays.filter(relay => !path.includes(relay) && !stopped.has(relay))) {
      expect(moved(relay)).to.equal(0n)
    }
  })

  it('a claim that reaches the ledger after its lock expired settles the version before it: that hop loses the one payment, nobody else anything', async () => {
    // the guard withholds the preimage again; the hop after it claims, and its claim is held back past the lock's expiry
    const before = await balances()
    const { routed, path, amounts } = await paidRoute()
    const expiry = path[1].payments.books.routed(routed.hash)?.out?.expiry ?? 0
    proxy.holdSubmissionsUntil((expiry + 2) * 1000)

    // the held claim comes back tx_too_late, the hop settles what it held before; the guard's lock and the client's lapse
    await pWaitFor(() => proxy.held.length > 0, { timeout: 60_000, interval: 500 })
    expect(proxy.held[0]).to.match(/^400 .*tx_too_late/)
    await pWaitFor(() => client.payments.books.routed(routed.hash)?.state !== 'pending', { timeout: 60_000, interval: 500 })
    await pWaitFor(() => path[2].payments.tabs(['open', 'submitting']).every(tab => tab.held?.hash !== routed.hash), { timeout: 30_000, interval: 500 })

    await Promise.all([...relays, provider].filter(node => !stopped.has(node)).map(async node => node.payments.settle()))
    const after = await balances()
    const moved = (node: RunningNode): bigint => (after.get(node) ?? 0n) - (before.get(node) ?? 0n)

    // the provider and the last relay were paid unconditionally; the hop that claimed too late paid them and was paid by nobody
    expect(moved(client)).to.equal(0n)
    expect(moved(path[1])).to.equal(0n)
    expect(moved(path[2])).to.equal(-amounts[2])
    expect(moved(path[3])).to.equal(amounts[2] - amounts[3])
    expect(moved(provider)).to.equal(amounts[3])
  })
})
