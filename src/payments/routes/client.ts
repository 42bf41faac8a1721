/**
 * The client's end of payment routes: a session per payee through `hops`
 * relays, the first a sticky guard (only it ever sees our Stellar account),
 * the others drawn by fee and past success; the amount and expiry each leg
 * starts with, worked back from what the payee asked; and the locked
 * version that starts a payment on its way.
 */
import { randomInt } from 'node:crypto'
import { waitUntil } from '../../utils/wait-until.js'
import { liveLock } from '../books/index.js'
import { CLIENT_SESSION_LIFETIME, ONION_LIFETIME } from './constants.js'
import { buildOnion } from './onion.js'
import { encodeHopPayload } from './payload.js'
import { feeFor } from './terms.js'
import type { Relay, RelayDirectory } from './relays.js'
import type { Router } from './router.js'
import type { RelayKnown } from './status.js'
import type { PaymentBooks } from '../books/index.js'
import type { RouteMessage } from '../pb/route.js'
import type { AbortOptions, Logger, PeerId } from '@libp2p/interface'

export interface RouteClientComponents {
  router: Router
  directory: RelayDirectory
  books: PaymentBooks
  peerId: PeerId
  log: Logger
}

export interface RouteClientInit {
  /** Relays per route; 0: pay directly */
  hops: number
  /** The most the fees of one payment may come to: `base` stroops plus `ppm` millionths of the amount */
  maxFee: { base: bigint, ppm: number }
  /** Seconds a lock must have left when it reaches the payee */
  finalDelta: number
}

/** A route to one payee: its relays, first hop first, and our session with the first */
export interface ClientSession {
  payee: string
  relays: Relay[]
  /** Hex id the first relay knows the session by */
  session: string
  openedAt: number
}

/** What a payment of `amount` through a session costs, and the lock it starts with */
export interface Quote {
  /** What the first leg pays */
  first: bigint
  fees: bigint
  /** Unix seconds: the first leg's expiry */
  expiry: number
}

/** Milliseconds a payment waits for the preimage of the one before it to free the guard's leg */
const FULFIL_WAIT = 15_000
const FULFIL_POLL = 50

/** Routes tried, each with other relays, before a payment goes without */
const OPEN_ATTEMPTS = 3

/** Seconds on top of the deltas for the ledger to close and the messages to travel */
const EXPIRY_SLACK = 10

export class RouteClient {
  private readonly components: RouteClientComponents
  private readonly init: RouteClientInit
  private readonly sessions = new Map<string, ClientSession>()

  constructor (components: RouteClientComponents, init: RouteClientInit) {
    this.components = components
    this.init = init
  }

  /** The relay our routes start at: kept across restarts, so that only it ever learns our account */
  private get guard (): string | undefined {
    return this.components.books.guard()
  }

  get hops (): number {
    return this.init.hops
  }

  /**
   * A session to `payee` whose onion is sealed to `routeKey`: the one in use
   * while it is young, else a new one; undefined when too few relays answer
   */
  async session (payee: PeerId, routeKey: Uint8Array, options: AbortOptions = {}): Promise<ClientSession | undefined> {
    const current = this.sessions.get(payee.toString())

    if (current != null && Date.now() - current.openedAt < CLIENT_SESSION_LIFETIME && await this.free(current.relays[0], options)) {
      return current
    }

    this.sessions.delete(payee.toString())

    // a route that cannot be opened has its relays passed over, and another is tried
    for (let attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
      const relays = await this.choose(payee, options)

      if (relays == null) {
        return undefined
      }

      const session = await this.open(payee, routeKey, relays, options)

      if (session != null) {
        this.sessions.set(payee.toString(), session)
        return session
      }
    }
  }

  /** Open a session through `relays`; undefined (and the relay at fault passed over) when it cannot be */
  private async open (payee: PeerId, routeKey: Uint8Array, relays: Relay[], options: AbortOptions): Promise<ClientSession | undefined> {
    const { directory, router, log } = this.components
    const expiry = Date.now() + ONION_LIFETIME
    const onion = buildOnion([
      ...relays.map((relay, i) => ({ routeKey: relay.terms.routeKey, payload: encodeHopPayload({ kind: 'forward', next: relays[i + 1]?.peer ?? payee, expiry }) })),
      { routeKey, payload: encodeHopPayload({ kind: 'final', expiry }) }
    ])
    let answer: RouteMessage

    try {
      answer = await router.exchange(relays[0].peer, { open: { onion } }, options)
    } catch (err: any) {
      log('the first relay %p of a route did not answer - %e', relays[0].peer, err)
      directory.outcome(relays[0].peer, false)
      options.signal?.throwIfAborted()
      return undefined
    }

    if (answer.opened?.leg == null) {
      log('route to %p through %s refused: %s', payee, relays.map(relay => relay.peer.toString()).join(', '), answer.fail?.reason)
      // the guard answered, so the refusal is from further on
      relays.slice(1).forEach(relay => { directory.outcome(relay.peer, false) })
      return undefined
    }

    const problem = await router.adoptLeg(relays[0].peer.toString(), answer.opened.leg, options)

    if (problem != null) {
      log('the guard %p named a leg we refuse: %s', relays[0].peer, problem)
      directory.outcome(relays[0].peer, false)
      return undefined
    }

    return { payee: payee.toString(), relays, session: Buffer.from(answer.opened.session).toString('hex'), openedAt: Date.now() }
  }

  /** The session in use to `payee` */
  sessionFor (payee: PeerId): ClientSession | undefined {
    return this.sessions.get(payee.toString())
  }

  /** The first leg's amount and expiry for `amount` to reach the payee, or why the fees are too high */
  quote (session: ClientSession, amount: bigint): Quote | { reason: string } {
    let out = amount
    let delta = 0

    for (const relay of [...session.relays].reverse()) {
      out += feeFor(out, relay.terms)
      delta += relay.terms.expiryDelta
    }

    const fees = out - amount
    const cap = this.init.maxFee.base + (amount * BigInt(this.init.maxFee.ppm) + 999_999n) / 1_000_000n

    if (fees > cap) {
      return { reason: `the route's fees, ${fees} stroops, are above our cap of ${cap}` }
    }

    return { first: out, fees, expiry: Math.floor(Date.now() / 1000) + this.init.finalDelta + EXPIRY_SLACK + delta }
  }

  /** Send the payment's first locked version; the answer is the guard's */
  async pay (session: ClientSession, hash: Uint8Array, quote: Quote, options: AbortOptions = {}): Promise<RouteMessage> {
    return this.components.router.sendLocked(session.relays[0].peer.toString(), session.session, hash, quote.first, quote.expiry, options)
  }

  /** A signal aborted when the payment locked by `hash` fails on its way; `done` once waiting is over */
  failureSignal (hash: Uint8Array): { signal: AbortSignal, done(): void } {
    return this.components.router.failureSignal(hash)
  }

  /**
   * How a payment through the session went: a failed session is not used
   * again, and the relays it may have failed at are passed over a while (the
   * guard when it refused us itself, the others when the payment failed
   * past it: we cannot tell which of them it was); a stale session (a relay
   * restarted) blames no one
   */
  outcome (session: ClientSession, outcome: 'paid' | 'guard-failed' | 'failed' | 'stale'): void {
    const { directory } = this.components

    if (outcome === 'paid') {
      session.relays.forEach(relay => { directory.outcome(relay.peer, true) })
      return
    }

    this.sessions.delete(session.payee)

    // a relay that restarted forgot the session: open another, blaming no one
    if (outcome === 'stale') {
      return
    }

    const blamed = outcome === 'guard-failed' ? session.relays.slice(0, 1) : session.relays.slice(1)
    blamed.forEach(relay => { directory.outcome(relay.peer, false) })
  }

  /**
   * `hops` distinct relays, neither us nor the payee nor one that failed
   * lately: the guard first (kept while it works), the rest drawn with
   * weights that favour low fees and past success
   */
  private async choose (payee: PeerId, options: AbortOptions): Promise<Relay[] | undefined> {
    const { directory, peerId } = this.components
    const candidates = (await directory.candidates(options))
      .filter(relay => !relay.peer.equals(peerId) && !relay.peer.equals(payee))
    const unpenalised = candidates.filter(relay => !directory.penalised(relay.peer))
    // relays that failed lately are passed over while others are enough
    const usable = unpenalised.length >= this.init.hops ? unpenalised : candidates

    if (usable.length < this.init.hops) {
      return undefined
    }

    let guard = usable.find(relay => relay.peer.toString() === this.guard)

    if (guard == null) {
      guard = draw(usable, directory)
      await this.components.books.commit({ guard: guard.peer.toString() })
      this.components.log('%p is our guard relay now', guard.peer)
    }

    // a lock of ours still pending with the guard blocks its leg until it lapses: a spare first hop takes its place meanwhile
    if (this.busy(guard)) {
      const spares = usable.filter(relay => relay !== guard && !this.busy(relay))

      if (spares.length < this.init.hops) {
        return undefined
      }

      guard = draw(spares, directory)
    }

    const chosen = [guard]

    while (chosen.length < this.init.hops) {
      chosen.push(draw(usable.filter(relay => !chosen.includes(relay)), directory))
    }

    return chosen
  }

  /** What the operator sees: sessions, the guard, relays known */
  status (): { hops: number, guard?: string, sessions: ClientSession[], relays: RelayKnown[] } {
    const { directory } = this.components
    return {
      hops: this.init.hops,
      guard: this.guard,
      sessions: [...this.sessions.values()],
      relays: directory.known().map(relay => ({ peer: relay.peer.toString(), feeBase: relay.terms.feeBase, feePpm: relay.terms.feePpm, expiryDelta: relay.terms.expiryDelta, success: directory.success(relay.peer), penalised: directory.penalised(relay.peer) }))
    }
  }

  /**
   * Whether our leg to the relay is free for a new lock, waiting a while
   * when its lock is for a payment the payee took: the preimage is then on
   * its way back to us, and the leg frees as it comes
   */
  private async free (relay: Relay, options: AbortOptions): Promise<boolean> {
    const { books } = this.components
    const lock = (): ReturnType<typeof liveLock> => liveLock(books.legOut(relay.peer.toString()))
    // a lock of a payment the payee did not take gets no wait: it resolves only when it lapses
    const taken = (): boolean => { const pending = lock(); return pending == null || books.routed(pending.hash)?.counted === true }
    await waitUntil(() => lock() == null || !taken(), Date.now() + FULFIL_WAIT, FULFIL_POLL, options.signal)
    return lock() == null
  }

  /** Whether our leg to the relay holds a lock that has not lapsed */
  private busy (relay: Relay): boolean {
    return liveLock(this.components.books.legOut(relay.peer.toString())) != null
  }
}

/** One relay, drawn with weight success / fee on a 1 MiB-sized payment */
function draw (relays: Relay[], directory: RelayDirectory): Relay {
  const weights = relays.map(relay => Math.max(1, Math.round(1_000_000 * directory.success(relay.peer) / Number(1n + feeFor(1_000_000n, relay.terms)))))
  let pick = randomInt(weights.reduce((sum, weight) => sum + weight, 0))

  for (let i = 0; i < relays.length; i++) {
    pick -= weights[i]

    if (pick < 0) {
      return relays[i]
    }
  }

  return relays[relays.length - 1]
}
