/**
 * The route protocol against a client that lies in each field: every bad
 * onion, session, fee, expiry, version, hash and preimage is refused with
 * its own code, every replay is refused or answered as before, and the
 * relay's signed terms cannot be changed on the way
 */
import { createHash, randomBytes } from 'node:crypto'
import { pbStream } from '@libp2p/utils'
import { expect } from 'aegir/chai'
import { PAYMENT_PROTOCOL, RELAY_PROTOCOL, ROUTE_PROTOCOL } from '../../../src/payments/index.js'
import { RelayTerms, RouteFail } from '../../../src/payments/pb/route.js'
import { paymentChannel, routeChannel } from '../../../src/payments/protocol/exchange.js'
import { buildOnion } from '../../../src/payments/routes/onion.js'
import { encodeHopPayload } from '../../../src/payments/routes/payload.js'
import { verifyRelayTerms } from '../../../src/payments/routes/terms.js'
import { buildTabTransaction } from '../../../src/payments/stellar/tab.js'
import { MANUAL_BILLING, createPaidRepo, startNode, startPaymentLedger } from '../../utils/payments.js'
import { connectAll } from '../../utils/routes.js'
import type { PaymentMessage, PaymentRequest } from '../../../src/payments/pb/payment.js'
import type { Leg, RouteMessage } from '../../../src/payments/pb/route.js'
import type { PaymentLedger, RunningNode } from '../../utils/payments.js'
import type { PeerId } from '@libp2p/interface'

describe('route protocol refusals', function () {
  this.timeout(120_000)
  let ledger: PaymentLedger
  let relay: RunningNode
  let provider: RunningNode
  let client: RunningNode
  let terms: RelayTerms

  const peerOf = (node: RunningNode): PeerId => node.node.helia.libp2p.peerId

  async function send (to: RunningNode, message: RouteMessage): Promise<RouteMessage> {
    const channel = routeChannel(await client.node.helia.libp2p.dialProtocol(peerOf(to), ROUTE_PROTOCOL))
    await channel.write(message)
    const answer = await channel.read({ signal: AbortSignal.timeout(10_000) })
    await channel.close()
    return answer
  }

  const codeOf = (answer: RouteMessage): string => answer.fail == null ? 'none' : RouteFail.Code[answer.fail.code] as string

  /** An onion through `hops`, each sealed to its route key */
  function onion (hops: Array<{ key: Uint8Array, next?: PeerId }>, expiry = Date.now() + 30_000): Uint8Array {
    return buildOnion(hops.map(hop => ({ routeKey: hop.key, payload: encodeHopPayload(hop.next == null ? { kind: 'final', expiry } : { kind: 'forward', next: hop.next, expiry }) })))
  }

  /** Our locked version of the leg `leg`, adding `amount` */
  function locked (leg: Leg, amount: bigint, hash: Uint8Array, expiry: number): string {
    const { wallet } = client.node
    const tx = buildTabTransaction({ channel: leg.channel, sequence: leg.sequence, payer: wallet.address, payee: leg.payee, asset: wallet.asset, total: leg.total + amount, passphrase: wallet.passphrase, lock: { hash, expiry } })
    wallet.sign(tx)
    return tx.toEnvelope().toXDR('base64')
  }

  function legOf (answer: RouteMessage): Leg {
    if (answer.opened?.leg == null) {
      expect.fail(`the route was not opened: ${answer.fail?.reason}`)
    }

    return answer.opened.leg
  }

  const inSeconds = (seconds: number): number => Math.floor(Date.now() / 1000) + seconds

  before(async () => {
    ledger = await startPaymentLedger()
    relay = await startNode(await createPaidRepo(ledger, { Payments: { Relay: { Enabled: true, ExpiryDelta: 5_000 }, Routes: { Hops: 0, FinalDelta: 5_000 } } }))
    provider = await startNode(await createPaidRepo(ledger, { Payments: { PricePerMiB: '0.0100000', Routes: { Hops: 0, FinalDelta: 5_000 } }, Bitswap: MANUAL_BILLING }))
    client = await startNode(await createPaidRepo(ledger, { Payments: { Routes: { Hops: 0 } } }))
    await connectAll([relay, provider, client])

    const stream = await client.node.helia.libp2p.dialProtocol(peerOf(relay), RELAY_PROTOCOL)
    terms = await pbStream(stream).pb({ encode: RelayTerms.encode, decode: (data) => RelayTerms.decode(data.subarray()) }).read()
  })

  after(async () => {
    await Promise.all([relay, provider, client].map(async node => node?.stop()))
    await ledger?.local.stop()
  })

  it('serves terms signed by the relay\'s key, which no one can change on the way', async () => {
    expect(await verifyRelayTerms(terms, peerOf(relay).publicKey as any)).to.equal(true)
    expect(await verifyRelayTerms({ ...terms, feeBase: 0n }, peerOf(relay).publicKey as any)).to.equal(false)
    expect(await verifyRelayTerms(terms, peerOf(provider).publicKey as any)).to.equal(false)
  })

  it('refuses a bad onion, an old one and a replayed one; a node that does not relay refuses to forward', async () => {
    expect(codeOf(await send(relay, { open: { onion: randomBytes(560) } }))).to.equal('BAD_ONION')
    expect(codeOf(await send(relay, { open: { onion: onion([{ key: terms.routeKey }], Date.now() - 1) } }))).to.equal('BAD_ONION')

    const good = onion([{ key: terms.routeKey }])
    expect(codeOf(await send(relay, { open: { onion: good } }))).to.equal('none')
    expect(codeOf(await send(relay, { open: { onion: good } }))).to.equal('REPLAYED')

    // the provider relays nothing: an onion asking it to forward is refused
    const providerKey = (await requestFrom(provider)).request?.routeKey ?? new Uint8Array()
    expect(codeOf(await send(provider, { open: { onion: onion([{ key: providerKey, next: peerOf(relay) }]) } }))).to.equal('RELAY_DISABLED')
  })

  it('refuses each bad locked version with its own code, and a replay as before', async () => {
    const opened = await send(relay, { open: { onion: onion([{ key: terms.routeKey, next: peerOf(provider) }, { key: (await requestFrom(provider)).request?.routeKey ?? new Uint8Array() }]) } })
    expect(codeOf(opened)).to.equal('none')
    const session = opened.opened?.session ?? new Uint8Array()
    const leg = legOf(opened)
    const hash = createHash('sha256').update(randomBytes(32)).digest()
    const add = (fields: { session?: Uint8Array, amount?: bigint, expiry?: number, transaction?: string, hash?: Uint8Array }): RouteMessage => {
      const amount = fields.amount ?? 100_000n
      const expiry = fields.expiry ?? inSeconds(30)
      return { add: { session: fields.session ?? session, hash: fields.hash ?? hash, amount, expiry: BigInt(expiry), transaction: fields.transaction ?? locked(leg, amount, fields.hash ?? hash, expiry) } }
    }

    expect(codeOf(await send(relay, add({ session: randomBytes(16) })))).to.equal('UNKNOWN_SESSION')
    expect(codeOf(await send(relay, add({ amount: terms.feeBase })))).to.equal('FEE_TOO_LOW')
    expect(codeOf(await send(relay, add({ expiry: inSeconds(6) })))).to.equal('EXPIRY_TOO_SOON')
    expect(codeOf(await send(relay, add({ expiry: inSeconds(7200) })))).to.equal('EXPIRY_TOO_FAR')
    // a version that pays less than it says
    const short = await send(relay, add({ transaction: locked(leg, 1n, hash, inSeconds(30)) }))
    expect(codeOf(short)).to.equal('OUT_OF_SYNC')
    expect(short.fail?.leg).to.deep.equal(leg)
    // an unlocked version where a locked one is due
    expect(codeOf(await send(relay, add({ transaction: locked(leg, 100_000n, randomBytes(32), inSeconds(30)) })))).to.equal('OUT_OF_SYNC')

    // held, then the same add again is held again; the hash with another version is a replay
    const first = add({})
    expect(codeOf(await send(relay, first))).to.equal('none')
    expect(await send(relay, first)).to.have.nested.property('held.hash')
    expect(codeOf(await send(relay, add({ amount: 200_000n })))).to.equal('REPLAYED')
    // the leg holds one lock at a time
    expect(codeOf(await send(relay, add({ hash: createHash('sha256').update('another').digest() })))).to.equal('LEG_BUSY')

    // a preimage that does not hash to a lock, and a fulfil of what we never sent
    expect(codeOf(await send(relay, { fulfill: { hash, preimage: randomBytes(32) } }))).to.equal('BAD_PREIMAGE')
    const preimage = randomBytes(32)
    expect(codeOf(await send(relay, { fulfill: { hash: createHash('sha256').update(preimage).digest(), preimage } }))).to.equal('UNKNOWN_HASH')
  })

  it('the payee refuses a lock for no request of its own, or short of what it asked', async () => {
    const { request, answer } = await requestFrom(provider, { routed: true })
    const key = request?.routeKey ?? new Uint8Array()
    const opened = await send(provider, { open: { onion: onion([{ key }]) } })
    const leg = legOf(opened)
    const session = opened.opened?.session ?? new Uint8Array()
    const lock = (hash: Uint8Array, amount: bigint, expiry = inSeconds(30)): RouteMessage => ({ add: { session, hash, amount, expiry: BigInt(expiry), transaction: locked(leg, amount, hash, expiry) } })
    const amount = request?.amount ?? 0n
    const hash = request?.hash ?? new Uint8Array()

    expect(codeOf(await send(provider, lock(createHash('sha256').update('nothing asked').digest(), amount)))).to.equal('UNKNOWN_HASH')
    expect(codeOf(await send(provider, lock(hash, amount - 1n)))).to.equal('AMOUNT_TOO_LOW')
    expect(codeOf(await send(provider, lock(hash, amount, inSeconds(2))))).to.equal('EXPIRY_TOO_SOON')
    expect(codeOf(await send(provider, lock(hash, amount)))).to.equal('none')
    // and the payer hears it was paid
    expect(await answer).to.have.property('receipt')
  })

  /**
   * A payment request from the provider, which this test answers by hand:
   * with `routed`, a promise to pay through a route, and the provider's
   * answer to it once it comes
   */
  async function requestFrom (payee: RunningNode, options: { routed?: boolean } = {}): Promise<{ request?: PaymentRequest, answer: Promise<PaymentMessage> }> {
    const libp2p = client.node.helia.libp2p
    await libp2p.unhandle(PAYMENT_PROTOCOL)

    return new Promise((resolve, reject) => {
      libp2p.handle(PAYMENT_PROTOCOL, async (stream) => {
        const channel = paymentChannel(stream)
        const { request } = await channel.read()

        if (options.routed !== true || request == null) {
          channel.abort(new Error('not answered'))
          resolve({ request, answer: Promise.resolve({}) })
          return
        }

        await channel.write({ payment: { requestId: request.id, transaction: '', routed: true } })
        resolve({ request, answer: channel.read({ signal: AbortSignal.timeout(30_000) }) })
      }).then(async () => {
        // some bytes to bill: the provider bills what it served, or a byte ahead
        await payee.payments.bill(peerOf(client), { ahead: 1024n * 1024n }).catch(() => {})
      }).catch(reject)
    })
  }
})
