/**
 * The credit policy's decisions on a clock the test moves: the free
 * allowance and its refill, the payment threshold, the throttle's rate, the
 * disconnect limit and what a refused peer still gets
 */
import { expect } from 'aegir/chai'
import { CreditPolicy } from '../../src/bitswap/credit.js'

const KiB = 1024
const MiB = 1024 * KiB
const PEER = 'peer'

/** 100 stroops a MiB: 1 MiB free, bills from 1 MiB owed, throttled from 4 MiB, refused from 10 MiB */
const INIT = {
  pricePerMiB: 100n,
  freeAllowance: MiB,
  allowanceRefreshRate: KiB,
  paymentThreshold: 100n,
  billAhead: 0n,
  creditLimit: 400n,
  disconnectLimit: 1000n,
  throttleRate: 256 * KiB,
  inFlight: 2 * MiB
}

function setup (options: { refused?: boolean } = {}): { policy: CreditPolicy, clock: { now: number }, books: { served: bigint, paidThrough: bigint, forgiven: bigint }, serve(bytes: number): void } {
  const clock = { now: 1_000_000 }
  const books = { served: 0n, paidThrough: 0n, forgiven: 0n }
  const policy = new CreditPolicy({
    served: () => books.served,
    paidThrough: () => books.paidThrough,
    forgiven: () => books.forgiven,
    refused: () => options.refused === true,
    now: () => clock.now
  }, INIT)

  // as the traffic meter does: the byte count moves, then the policy hears of the frame
  const serve = (bytes: number): void => {
    books.served += BigInt(bytes)
    policy.sent(PEER, bytes)
  }

  return { policy, clock, books, serve }
}

/** Frames of `frame` bytes sent whenever the policy lets them go, for `ms` of the test's clock; the bytes sent */
function sendFor (policy: CreditPolicy, clock: { now: number }, serve: (bytes: number) => void, frame: number, ms: number): number {
  const end = clock.now + ms
  let sent = 0

  for (let i = 0; i < 100_000 && clock.now < end; i++) {
    const delay = policy.delay(PEER, frame)

    if (delay > 0) {
      clock.now += delay
      continue
    }

    serve(frame)
    sent += frame
  }

  return sent
}

describe('credit policy', () => {
  it('serves the allowance free, then owes, and bills once it owes the payment threshold', () => {
    const { policy, serve } = setup()

    serve(512 * KiB)
    expect(policy.view(PEER)).to.deep.include({ status: 'free', unpaid: 0n, allowance: 512 * KiB, freeBytes: BigInt(512 * KiB) })
    expect(policy.due(PEER)).to.be.false()

    serve(MiB)
    expect(policy.view(PEER)).to.deep.include({ status: 'owing', unpaid: 50n, allowance: 0, freeBytes: BigInt(MiB) })
    expect(policy.due(PEER)).to.be.false()
    // a bill that asks ahead is due sooner
    expect(policy.due(PEER, BigInt(512 * KiB))).to.be.true()

    serve(512 * KiB)
    expect(policy.unpaid(PEER)).to.equal(100n)
    expect(policy.due(PEER)).to.be.true()
  })

  it('owes nothing once a payment covers what was served past the allowance', () => {
    const { policy, books, serve } = setup()

    serve(3 * MiB)
    expect(policy.status(PEER)).to.equal('owing')

    // the payee's books: paid through 3 MiB, of which the first 1 MiB was free
    books.paidThrough = BigInt(3 * MiB)
    books.forgiven = BigInt(MiB)
    expect(policy.view(PEER)).to.deep.include({ status: 'free', unpaid: 0n })
    expect(policy.due(PEER)).to.be.false()
  })

  it('refills the allowance at its rate, up to the allowance', () => {
    const { policy, clock, serve } = setup()

    serve(MiB)
    clock.now += 10_000
    // 10 s at 1 KiB/s: 10 KiB free again
    serve(10 * KiB)
    expect(policy.view(PEER)).to.deep.include({ status: 'free', freeBytes: BigInt(MiB + 10 * KiB) })
    serve(KiB)
    expect(policy.view(PEER)).to.deep.include({ status: 'owing', unpaid: 1n })

    clock.now += 24 * 3_600_000
    serve(0)
    expect(policy.view(PEER).allowance).to.equal(MiB)
  })

  it('lets nothing wait below the credit limit, then holds a throttled peer to the throttle rate', () => {
    const { policy, clock, serve } = setup()

    // 1 MiB free and 4 MiB of credit at once, then the throttle's one-second burst
    expect(sendFor(policy, clock, serve, 64 * KiB, 1)).to.equal(5 * MiB + INIT.throttleRate)
    expect(policy.status(PEER)).to.equal('throttled')

    // 16 s at 256 KiB/s, and at most one second's burst
    const sent = sendFor(policy, clock, serve, 64 * KiB, 16_000)
    expect(sent).to.be.within(16 * INIT.throttleRate, 17 * INIT.throttleRate + 64 * KiB)
    expect(policy.status(PEER)).to.equal('throttled')
  })

  it('keeps the rate whatever the frame sizes: a big frame puts the bucket in debt', () => {
    const { policy, clock, serve } = setup()
    sendFor(policy, clock, serve, 64 * KiB, 1)
    expect(sendFor(policy, clock, serve, MiB, 1)).to.be.at.most(MiB)

    const started = clock.now
    const sent = sendFor(policy, clock, serve, MiB, 12_000)
    expect(sent / ((clock.now - started) / 1000)).to.be.within(0.8 * INIT.throttleRate, 1.2 * INIT.throttleRate)
  })

  it('refuses a peer past the disconnect limit, serves what it asked for before at the throttle rate for one message, then holds it', () => {
    const { policy, clock, serve, books } = setup()

    // 1 MiB free, 10 MiB to the disconnect limit, then one message's worth (inFlight) more, throttled
    sendFor(policy, clock, serve, 64 * KiB, 60_000)
    expect(policy.status(PEER)).to.equal('refused')
    expect(Number(books.served)).to.be.within(13 * MiB, 13 * MiB + 192 * KiB)
    expect(policy.delay(PEER, 64 * KiB)).to.equal(1000)

    // it pays: served again at once
    books.paidThrough = books.served
    books.forgiven = policy.freeBytes(PEER)
    expect(policy.status(PEER)).to.equal('free')
    expect(policy.delay(PEER, 256 * KiB)).to.equal(0)
  })

  it('refuses a peer whose settlement failed, whatever it owes: only its allowance goes', () => {
    const { policy } = setup({ refused: true })

    expect(policy.status(PEER)).to.equal('refused')
    expect(policy.delay(PEER, 512 * KiB)).to.equal(0)
    expect(policy.delay(PEER, 2 * MiB)).to.equal(1000)
  })

  it('charges nobody at price zero', () => {
    const books = { served: BigInt(100 * MiB) }
    const policy = new CreditPolicy({ served: () => books.served, paidThrough: () => 0n, forgiven: () => 0n }, { ...INIT, pricePerMiB: 0n })

    expect(policy.view(PEER)).to.deep.include({ status: 'free', unpaid: 0n })
    expect(policy.due(PEER)).to.be.false()
    expect(policy.delay(PEER, MiB)).to.equal(0)
  })
})
