/**
 * The node's side of `/torplus/route/1.0.0`, for every role but the
 * client's first step: a relay opens sessions through onions and forwards
 * hash-locked payments; the payee takes the lock of a request of its own and
 * releases the preimage; every hop passes a preimage upstream and takes the
 * unconditional version it is owed in return.
 *
 * The rules are Lightning's (BOLT 2), on tabs: a hop signs its outgoing
 * locked version only after its incoming one is synced; it passes a
 * preimage upstream as soon as it has it; it fails an incoming payment only
 * once its outgoing one can no longer be claimed. A preimage it holds
 * without the unconditional version it is owed is claimed on the ledger
 * before the lock expires (the settler, `claimMargin` ahead).
 */
import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { TransactionBuilder } from '@stellar/stellar-sdk'
import { anySignal } from 'any-signal'
import { waitUntil } from '../../utils/wait-until.js'
import { liveLock, lockedOn } from '../books/index.js'
import { ChannelCheck } from '../channel-check.js'
import { leaseChannel } from '../lease.js'
import { RouteFail } from '../pb/route.js'
import { routeChannel, toHex } from '../protocol/exchange.js'
import { buildTabTransaction, checkTabTransaction, preimageAmong } from '../stellar/tab.js'
import { FULFIL_RETRY_INTERVAL, LEDGER_WATCH_INTERVAL, MAX_EXPIRY, ONION_LIFETIME, ROUTE_PROTOCOL } from './constants.js'
import { peelOnion } from './onion.js'
import { decodeHopPayload } from './payload.js'
import { RouteSessions } from './sessions.js'
import { forwardable } from './terms.js'
import type { BookChanges, LegOut, PaymentBooks, RoutedPayment, Tab } from '../books/index.js'
import type { Funding } from '../funding.js'
import type { PaymentMetrics } from '../metrics.js'
import type { PayerFunds } from '../payer-funds.js'
import type { RouteKey } from './onion.js'
import type { RouteSession } from './sessions.js'
import type { KeyedSerializer } from '../../utils/keyed-serializer.js'
import type { Leg, RouteAdd, RouteMessage, RouteOpen } from '../pb/route.js'
import type { Settler } from '../settler.js'
import type { ChannelPool } from '../stellar/channels.js'
import type { StellarWallet } from '../stellar/wallet.js'
import type { AbortOptions, Connection, Logger, PeerId, Startable, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** The payee's requests that take payment through routes */
export interface RoutedPayee {
  /**
   * What crediting the request's payer for `routed` changes in the books,
   * made from the books as they are when written
   */
  credit(routed: RoutedPayment): BookChanges
  /** The request's lock is held and its payer credited */
  locked(hash: string): void
}

export interface RouterComponents {
  connectionManager: Pick<ConnectionManager, 'openStream'>
  books: PaymentBooks
  wallet: StellarWallet
  channels: ChannelPool
  settler: Settler
  /** Whether an upstream payer's account can fund its legs with us */
  funding: Funding
  /** What we can still promise downstream */
  funds: PayerFunds
  serializer: KeyedSerializer
  routeKey: RouteKey
  payee: RoutedPayee
  metrics: PaymentMetrics
  log: Logger
}

export interface RelayInit {
  enabled: boolean
  /** Stroops */
  feeBase: bigint
  feePpm: number
  /** Seconds taken off the expiry of what we forward */
  expiryDelta: number
  /** Stroops pending on all our outgoing legs together, at most */
  maxPending: bigint
}

export interface RouterInit {
  relay: RelayInit
  /** Seconds a lock must have left when it reaches us as the payee */
  finalDelta: number
  /** Milliseconds one exchange may take */
  messageTimeout: number
}

type Failure = RouteMessage & { fail: RouteFail }

/** Milliseconds a lock waits for the version that settles the one before it on its leg */
const SETTLE_WAIT = 3_000

/** Milliseconds a payment to forward waits for the lock before it on the next leg to resolve */
const LEG_WAIT = 5_000
const SETTLE_POLL = 50

export class Router implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:payments:router'
  private readonly components: RouterComponents
  private readonly init: RouterInit
  private readonly sessions = new RouteSessions()
  private readonly channelCheck: ChannelCheck
  /** Clients waiting on their payments, told when one fails on the way */
  private readonly waiting = new Map<string, AbortController>()
  /** Hashes whose preimage is on its way upstream */
  private readonly fulfilling = new Map<string, AbortController>()
  private watchTimer?: ReturnType<typeof setInterval>
  private started = false

  constructor (components: RouterComponents, init: RouterInit) {
    this.components = components
    this.init = init
    this.channelCheck = new ChannelCheck({ wallet: components.wallet })
  }

  isStarted (): boolean {
    return this.started
  }

  start (): void {
    this.started = true
    this.watchTimer = setInterval(() => { this.watchLedger() }, LEDGER_WATCH_INTERVAL)
    this.watchTimer.unref()
    this.resume()
  }

  /** What a stop or a crash left half done: preimages on their way upstream, payments held and not yet forwarded */
  private resume (): void {
    const { books, log } = this.components

    for (const routed of books.routedList(['pending', 'fulfilled'])) {
      if (routed.state === 'fulfilled' && this.owedSettle(routed) != null) {
        this.fulfilUpstream(routed.hash)
      }

      const leg = routed.out == null ? undefined : books.legOut(routed.out.peer)
      const held = routed.in == null ? undefined : this.currentLegTab(routed.in.peer)?.held

      if (routed.state === 'pending' && routed.in != null && held?.hash === routed.hash && leg?.pending?.hash !== routed.hash && (routed.out?.expiry ?? 0) * 1000 > Date.now()) {
        this.forward(routed).catch(err => { log.error('could not forward %s after a restart - %e', routed.hash, err) })
      }
    }
  }

  /**
   * A downstream peer may claim our locked version on the ledger instead of
   * passing us the preimage (we were away, or it chose to): the preimage is
   * then read off the ledger, in time to claim or be paid upstream
   */
  private watchLedger (): void {
    const { books, wallet, log } = this.components
    const now = Date.now()

    // a payment whose lock never went out (we stopped first) ends when it would have lapsed
    const orphans = books.routedList(['pending']).filter(routed => routed.out != null && routed.out.expiry * 1000 + 2 * LEDGER_WATCH_INTERVAL < now && books.legOut(routed.out.peer)?.pending?.hash !== routed.hash)

    if (orphans.length > 0) {
      books.commit({ routed: orphans.map(routed => ({ ...routed, state: 'failed', reason: 'the lock never went out, and would have lapsed', updatedAt: now })) })
        .catch(err => { log.error('could not end payments whose locks never went out - %e', err) })
    }

    for (const leg of books.legOutList()) {
      const pending = leg.pending

      if (pending == null || books.routed(pending.hash)?.state === 'fulfilled') {
        continue
      }

      // a lock past its expiry can no longer land: one last look, then it lapses
      const lapsed = pending.expiry * 1000 + 2 * LEDGER_WATCH_INTERVAL < now
      const hash = Buffer.from(TransactionBuilder.fromXDR(pending.transaction, wallet.passphrase).hash()).toString('hex')
      wallet.transaction(hash, { signal: AbortSignal.timeout(LEDGER_WATCH_INTERVAL) })
        .then(async landed => {
          const preimage = landed?.successful === true ? preimageAmong(landed.signatures, Buffer.from(pending.hash, 'hex')) : undefined

          if (preimage != null) {
            log('%s claimed our lock %s on the ledger; its preimage goes upstream', leg.peer, pending.hash)
            await this.claimedDownstream(leg.peer, pending.hash, preimage)
          } else if (lapsed && landed == null) {
            await this.lapse(leg.peer, pending.hash)
          }
        })
        .catch(err => { log('could not look for our lock %s on the ledger - %e', pending.hash, err) })
    }
  }

  /** Our lock to `peer` expired unclaimed: the leg is free, and the payment failed (if nothing else said so) */
  private async lapse (peer: string, hash: string): Promise<void> {
    const { books, log } = this.components
    await this.components.serializer.run(`leg-out:${peer}`, async () => {
      const leg = books.legOut(peer)
      const routed = books.routed(hash)

      if (leg?.pending?.hash !== hash) {
        return
      }

      await books.commit({
        legsOut: [{ ...leg, pending: undefined }],
        routed: routed?.state === 'pending' ? [{ ...routed, state: 'failed', reason: 'the lock lapsed unclaimed', updatedAt: Date.now() }] : []
      })
      log('our lock %s to %s lapsed unclaimed', hash, peer)
    })
  }

  /** The downstream peer landed our lock: the leg's tab is closed, and the preimage ours */
  private async claimedDownstream (peer: string, hash: string, preimage: Uint8Array): Promise<void> {
    const { books } = this.components
    await this.components.serializer.run(`leg-out:${peer}`, async () => {
      const leg = books.legOut(peer)
      const routed = books.routed(hash)

      if (leg?.pending?.hash !== hash || routed == null) {
        return
      }

      const now = Date.now()
      const tab = routed.in == null ? undefined : this.currentLegTab(routed.in.peer)
      const claimable: Tab[] = tab?.held?.hash === hash ? [{ ...tab, held: { ...tab.held, preimage: toHex(preimage) }, updatedAt: now }] : []
      await books.commit({
        legsOut: [{ ...leg, total: 0n, transaction: undefined, pending: undefined }],
        routed: [{ ...routed, state: 'fulfilled', preimage: toHex(preimage), updatedAt: now }],
        tabs: claimable
      })
      claimable.forEach(tab => { this.components.settler.scheduleClaim(tab) })
      this.components.metrics.routed?.increment({ claimed: true })
      this.fulfilledMetrics(routed)
    })

    this.fulfilUpstream(hash)
  }

  stop (): void {
    this.started = false
    clearInterval(this.watchTimer)

    for (const controller of this.fulfilling.values()) {
      controller.abort()
    }

    this.fulfilling.clear()
  }

  /** The protocol handler: one exchange per stream */
  async handle (stream: Stream, connection: Connection): Promise<void> {
    const channel = routeChannel(stream)
    const signal = AbortSignal.timeout(this.init.messageTimeout)
    const peer = connection.remotePeer

    try {
      const message = await channel.read({ signal })
      const answer = await this.answer(peer, message, signal)
      await channel.write(answer, { signal })
      await channel.close({ signal })
    } catch (err: any) {
      this.components.log('route exchange with %p failed - %e', peer, err)
      channel.abort(err)
    }
  }

  private async answer (peer: PeerId, message: RouteMessage, signal: AbortSignal): Promise<RouteMessage> {
    if (message.open != null) {
      return this.open(peer, message.open, signal)
    }

    if (message.add != null) {
      return this.add(peer, message.add, signal)
    }

    if (message.fulfill != null) {
      return this.fulfilled(peer, message.fulfill.hash, message.fulfill.preimage)
    }

    if (message.fail != null) {
      return this.failedDownstream(peer, message.fail)
    }

    return failure(RouteFail.Code.MALFORMED, 'expected an open, an add, a fulfil or a fail')
  }

  /** RouteOpen: peel our slot; open the rest of the route or end it here; answer with the leg to pay us on */
  private async open (peer: PeerId, open: RouteOpen, signal: AbortSignal): Promise<RouteMessage> {
    const peeled = peelOnion(open.onion, this.components.routeKey)
    const payload = peeled == null ? undefined : decodeHopPayload(peeled.payload)
    const now = Date.now()

    if (peeled == null || payload == null || payload.expiry < now || payload.expiry > now + ONION_LIFETIME) {
      return failure(RouteFail.Code.BAD_ONION, 'the onion is not for us, was changed, or is out of date')
    }

    if (this.sessions.replayed(toHex(peeled.ephemeral), payload.expiry)) {
      return failure(RouteFail.Code.REPLAYED, 'this onion was seen before')
    }

    let session: RouteSession

    if (payload.kind === 'final') {
      session = this.sessions.open(peer.toString())
    } else {
      if (!this.init.relay.enabled) {
        return failure(RouteFail.Code.RELAY_DISABLED, 'we do not relay payments')
      }

      if (payload.next.equals(peer)) {
        return failure(RouteFail.Code.MALFORMED, 'the route goes back to where it came from')
      }

      const onward = await this.openOnward(payload.next, peeled.next, signal)

      if ('fail' in onward) {
        return onward
      }

      session = this.sessions.open(peer.toString(), { peer: payload.next.toString(), session: onward.session })
    }

    const tab = await this.legTab(peer.toString(), { signal })
    return { opened: { session: Buffer.from(session.id, 'hex'), leg: this.legOf(tab) } }
  }

  /** Open the route's next link, and take the leg it names as ours to pay */
  private async openOnward (next: PeerId, onion: Uint8Array, signal: AbortSignal): Promise<{ session: string } | Failure> {
    let answer: RouteMessage

    try {
      answer = await this.exchange(next, { open: { onion } }, { signal })
    } catch (err: any) {
      return failure(RouteFail.Code.NEXT_HOP_FAILED, `the next hop did not answer: ${err.message}`)
    }

    if (answer.fail != null) {
      return failure(RouteFail.Code.NEXT_HOP_FAILED, `the next hop refused: ${answer.fail.reason}`)
    }

    if (answer.opened?.leg == null || answer.opened.session.byteLength !== 16) {
      return failure(RouteFail.Code.NEXT_HOP_FAILED, 'the next hop answered out of turn')
    }

    const problem = await this.adoptLeg(next.toString(), answer.opened.leg, { signal })
    return problem == null ? { session: toHex(answer.opened.session) } : failure(RouteFail.Code.NEXT_HOP_FAILED, problem)
  }

  /**
   * Take the leg a downstream peer says we pay it on: the tab we know (at
   * the total we signed, whatever it says), or a new one at a total of zero
   * on a channel that can land (what we signed on a tab we no longer pay on
   * stays owed, and is not signed again)
   */
  async adoptLeg (peer: string, leg: Leg, options: AbortOptions = {}): Promise<string | undefined> {
    const { books } = this.components
    const known = books.legOut(peer)

    if (known != null && known.channel === leg.channel && known.sequence === leg.sequence) {
      // what we signed is ours to know: its view may lag by a version on its way
      return undefined
    }

    if (leg.total !== 0n) {
      return `the next hop names a tab we never paid on with a total of ${leg.total}`
    }

    if (liveLock(known) != null) {
      // a lock on the old tab is on its way: the next locked version learns the new tab, as OUT_OF_SYNC tells it
      return undefined
    }

    const problem = await this.channelCheck.problem(leg.channel, leg.sequence, options)
      .catch((err: Error) => `cannot read channel ${leg.channel}: ${err.message}`)

    if (problem != null || !/^G[A-Z2-7]{55}$/.test(leg.payee)) {
      return problem ?? 'the next hop\'s account is not a Stellar account'
    }

    await books.commit({ legsOut: [{ peer, payee: leg.payee, channel: leg.channel, sequence: leg.sequence, total: 0n }] })
  }

  /** RouteAdd: a locked version on an upstream peer's leg; hold it, then forward or take it as the payee */
  private async add (peer: PeerId, add: RouteAdd, signal: AbortSignal): Promise<RouteMessage> {
    const hash = toHex(add.hash)
    const session = this.sessions.use(peer.toString(), toHex(add.session))

    if (add.hash.byteLength !== 32 || add.amount <= 0n) {
      return failure(RouteFail.Code.MALFORMED, 'a lock is a 32-byte hash on a positive amount')
    }

    if (session == null) {
      return failure(RouteFail.Code.UNKNOWN_SESSION, 'no such route session: open the route again')
    }

    // one lock at a time per incoming leg, and per hash
    return this.components.serializer.run(`leg-in:${peer}`, async () => this.components.serializer.run(`routed:${hash}`, async () => {
      const existing = this.components.books.routed(hash)

      if (existing?.in != null) {
        // the same add again (its answer was lost) is held again; anything else on a used hash is refused
        const tab = this.currentLegTab(peer.toString())
        return existing.in.peer === peer.toString() && tab?.held?.hash === hash && tab.held.transaction === add.transaction
          ? { held: { hash: add.hash } }
          : failure(RouteFail.Code.REPLAYED, 'this hash was used before')
      }

      if (session.downstream == null) {
        return this.takeAsPayee(peer, add, existing, signal)
      }

      return this.takeToForward(peer, add, session, signal)
    }))
  }

  /** Check an incoming locked version against the peer's leg; what to hold, or why not */
  private async checkIncoming (peer: PeerId, add: RouteAdd, signal: AbortSignal): Promise<{ tab: Tab, payer: string } | Failure> {
    const { books, wallet, funding } = this.components
    // the payer settles the last lock as it sends the next one: its version may be a moment behind
    const tab = await this.settledLegTab(peer.toString(), signal)
    const now = Math.floor(Date.now() / 1000)

    if (tab == null) {
      // its tab was settled: payments go on on a new one
      return failure(RouteFail.Code.OUT_OF_SYNC, 'the leg\'s tab was settled; pay on this one', this.legOf(await this.openLegTab(peer.toString(), { signal })))
    }

    if (tab.held != null && tab.held.expiry >= now) {
      return failure(RouteFail.Code.LEG_BUSY, 'another locked payment is pending on this leg')
    }

    const checked = checkTabTransaction(add.transaction, { channel: tab.channel, sequence: tab.sequence, payee: wallet.address, asset: wallet.asset, total: tab.total + add.amount, passphrase: wallet.passphrase, payer: tab.payer, lock: { hash: add.hash, expiry: Number(add.expiry) } })

    if ('reason' in checked) {
      return failure(RouteFail.Code.OUT_OF_SYNC, `not the next version of our leg: ${checked.reason}`, this.legOf(tab))
    }

    const short = await funding.shortfall(checked.payer, { channel: tab.channel, sequence: tab.sequence, total: tab.total + add.amount }, { signal })
      .catch((err: Error) => `cannot read the payer's account now: ${err.message}`)

    if (short != null) {
      return failure(RouteFail.Code.UNFUNDED, short)
    }

    // read again: the ledger read above let others in
    const current = books.tab(tab.channel, tab.sequence)

    if (current == null || current.state !== 'open' || current.total !== tab.total || (current.held != null && current.held.expiry >= now)) {
      return failure(RouteFail.Code.LEG_BUSY, 'the leg moved on meanwhile; try again')
    }

    return { tab: current, payer: checked.payer }
  }

  /** The payee's end: a lock on a live request of ours, paying at least what it asks, with time to spare */
  private async takeAsPayee (peer: PeerId, add: RouteAdd, routed: RoutedPayment | undefined, signal: AbortSignal): Promise<RouteMessage> {
    const hash = toHex(add.hash)
    const now = Date.now()

    if (routed?.request == null || routed.preimage == null || routed.state !== 'pending' || routed.request.expiry < now) {
      return failure(RouteFail.Code.UNKNOWN_HASH, 'no request of ours waits for this hash')
    }

    if (add.amount < routed.request.amount) {
      return failure(RouteFail.Code.AMOUNT_TOO_LOW, `the request asks ${routed.request.amount}, not ${add.amount}`)
    }

    if (Number(add.expiry) * 1000 < now + this.init.finalDelta * 1000) {
      return failure(RouteFail.Code.EXPIRY_TOO_SOON, `a lock reaching us needs ${this.init.finalDelta} s left`)
    }

    const incoming = await this.checkIncoming(peer, add, signal)

    if ('fail' in incoming) {
      return incoming
    }

    const { books, payee } = this.components
    const taken: RoutedPayment = { ...routed, state: 'fulfilled', in: { peer: peer.toString(), amount: add.amount, expiry: Number(add.expiry) }, updatedAt: now }
    await books.commit(() => {
      const credit = payee.credit(taken)
      return {
        ...credit,
        tabs: [...(credit.tabs ?? []), { ...incoming.tab, payer: incoming.payer, held: { hash, amount: add.amount, expiry: Number(add.expiry), transaction: add.transaction, preimage: routed.preimage }, updatedAt: now }],
        routed: [taken]
      }
    })
    this.components.settler.scheduleClaim({ ...incoming.tab, held: { hash, amount: add.amount, expiry: Number(add.expiry), transaction: add.transaction, preimage: routed.preimage } })
    this.components.metrics.routed?.increment({ taken: true })
    this.components.log('took a routed payment of %s stroops for request %s from %p', add.amount, routed.request.id, peer)
    payee.locked(hash)
    this.fulfilUpstream(hash)
    return { held: { hash: add.hash } }
  }

  /** A relay's middle: hold the incoming lock, then sign and send our own downstream */
  private async takeToForward (peer: PeerId, add: RouteAdd, session: RouteSession, signal: AbortSignal): Promise<RouteMessage> {
    const { books, funds } = this.components
    const relay = this.init.relay
    const hash = toHex(add.hash)
    const now = Date.now()
    const downstream = session.downstream as { peer: string, session: string }
    const amount = forwardable(add.amount, relay)
    const expiry = Number(add.expiry) - relay.expiryDelta
    const leg = books.legOut(downstream.peer)

    if (amount <= 0n) {
      return failure(RouteFail.Code.FEE_TOO_LOW, `${add.amount} does not cover our fee of ${relay.feeBase} + ${relay.feePpm} ppm`)
    }

    if (expiry * 1000 < now + this.init.finalDelta * 1000) {
      return failure(RouteFail.Code.EXPIRY_TOO_SOON, `we take ${relay.expiryDelta} s off the expiry, and need ${this.init.finalDelta} s left after that`)
    }

    if (Number(add.expiry) * 1000 > now + MAX_EXPIRY * 1000) {
      return failure(RouteFail.Code.EXPIRY_TOO_FAR, `we hold a lock for ${MAX_EXPIRY} s at most`)
    }

    if (leg == null) {
      return failure(RouteFail.Code.UNKNOWN_SESSION, 'we hold no leg to the next hop: open the route again')
    }

    await funds.prepare(amount, { signal })
    const short = funds.check(amount)

    if (short != null) {
      return failure(RouteFail.Code.UNFUNDED, `we cannot forward ${amount}: ${short.reason}`)
    }

    const incoming = await this.checkIncoming(peer, add, signal)

    if ('fail' in incoming) {
      return incoming
    }

    const routed: RoutedPayment = { hash, state: 'pending', in: { peer: peer.toString(), amount: add.amount, expiry: Number(add.expiry) }, out: { peer: downstream.peer, session: downstream.session, amount, expiry }, createdAt: now, updatedAt: now }
    const deadline = Date.now() + LEG_WAIT
    let reserved: RouteMessage | undefined | 'busy' = 'busy'

    // payments of other clients through the same next hop take turns on its leg
    while (reserved === 'busy' && await this.legFree(downstream.peer, deadline, signal)) {
      // the incoming lock and our outgoing one in one write: never one without the other
      reserved = await this.components.serializer.run(`leg-out:${downstream.peer}`, async () => {
        const current = books.legOut(downstream.peer)

        if (current == null) {
          return failure(RouteFail.Code.UNKNOWN_SESSION, 'we hold no leg to the next hop: open the route again')
        }

        if (liveLock(current) != null) {
          return 'busy'
        }

        if (this.pendingOut() + amount > relay.maxPending) {
          return failure(RouteFail.Code.OVER_EXPOSURE, `we hold at most ${relay.maxPending} stroops pending`)
        }

        await books.commit({
          tabs: [{ ...incoming.tab, payer: incoming.payer, held: { hash, amount: add.amount, expiry: Number(add.expiry), transaction: add.transaction }, updatedAt: now }],
          routed: [routed],
          legsOut: [{ ...current, pending: this.lockedVersion(current, add.hash, amount, expiry) }]
        })
      })
    }

    if (reserved === 'busy') {
      return failure(RouteFail.Code.LEG_BUSY, 'a locked payment is pending on the next leg')
    }

    if (reserved != null) {
      return reserved
    }

    this.components.metrics.routed?.increment({ forwarded: true })
    this.components.log('forwarding %s of %s stroops from %p to %s', amount, add.amount, peer, downstream.peer)

    // the answer goes first: the upstream's wait is bounded, our forward is not its business
    setTimeout(() => {
      this.forward(routed).catch(err => { this.components.log.error('could not forward %s - %e', hash, err) })
    }, 0)

    return { held: { hash: add.hash } }
  }

  /**
   * A signal a client waits for its payment with: aborted when the route
   * says it failed; call `done` once the wait is over
   */
  failureSignal (hash: Uint8Array): { signal: AbortSignal, done(): void } {
    const key = toHex(hash)
    const controller = new AbortController()
    this.waiting.set(key, controller)
    return { signal: controller.signal, done: () => { this.waiting.delete(key) } }
  }

  /** Sign our locked version on the downstream leg, sync it, send it */
  async forward (routed: RoutedPayment): Promise<void> {
    const out = routed.out

    if (out == null) {
      return
    }

    const answer = await this.sendLocked(out.peer, out.session, Buffer.from(routed.hash, 'hex'), out.amount, out.expiry)

    if (answer.fail != null) {
      this.components.log('%s refused the payment %s: %s', out.peer, routed.hash, answer.fail.reason)
      await this.failUpstream(routed.hash, RouteFail.Code.NEXT_HOP_FAILED, answer.fail.reason)
    }
  }

  /**
   * Send a locked version of our leg to `peer`: built on the leg as we hold
   * it, synced before it leaves; a peer that holds the leg at other
   * coordinates says so, and we adopt them and try once more
   */
  async sendLocked (peer: string, session: string, hash: Uint8Array, amount: bigint, expiry: number, options: AbortOptions = {}): Promise<RouteMessage> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const transaction = await this.signLocked(peer, hash, amount, expiry)

      if (typeof transaction !== 'string') {
        return transaction
      }

      let answer: RouteMessage
      this.components.log('sending our lock %s to %s', toHex(hash), peer)

      try {
        answer = await this.exchange(peerIdFromString(peer), { add: { session: Buffer.from(session, 'hex'), hash, amount, expiry: BigInt(expiry), transaction } }, options)
      } catch (err: any) {
        // our version may have reached it: the lock stays pending until it expires
        return failure(RouteFail.Code.NEXT_HOP_FAILED, `${peer} did not answer: ${err.message}`)
      }

      if (answer.fail?.code !== RouteFail.Code.OUT_OF_SYNC || answer.fail.leg == null || attempt > 0) {
        return answer
      }

      // it never held this version: we may sign on the leg it names instead
      await this.dropPending(peer, toHex(hash))
      const problem = await this.adoptLeg(peer, answer.fail.leg, options)

      if (problem != null) {
        return failure(RouteFail.Code.NEXT_HOP_FAILED, problem)
      }
    }

    return failure(RouteFail.Code.NEXT_HOP_FAILED, 'unreachable')
  }

  /** Our locked version on the leg to `peer`, signed and synced once; why not, when the leg has no room for it */
  private async signLocked (peer: string, hash: Uint8Array, amount: bigint, expiry: number): Promise<string | Failure> {
    const { books } = this.components
    return this.components.serializer.run(`leg-out:${peer}`, async () => {
      const leg = books.legOut(peer)

      if (leg == null) {
        return failure(RouteFail.Code.UNKNOWN_SESSION, `we hold no leg to ${peer}`)
      }

      if (leg.pending?.hash === toHex(hash)) {
        return leg.pending.transaction
      }

      if (liveLock(leg) != null) {
        // one lock per leg: a second would let the peer land whichever pays more
        return failure(RouteFail.Code.LEG_BUSY, `a locked payment to ${peer} is still pending`)
      }

      const pending = this.lockedVersion(leg, hash, amount, expiry)
      await books.commit({ legsOut: [{ ...leg, pending }] })
      return pending.transaction
    })
  }

  private lockedVersion (leg: LegOut, hash: Uint8Array, amount: bigint, expiry: number): NonNullable<LegOut['pending']> {
    const { wallet } = this.components
    const tx = buildTabTransaction({ channel: leg.channel, sequence: leg.sequence, payer: wallet.address, payee: leg.payee, asset: wallet.asset, total: leg.total + amount, passphrase: wallet.passphrase, lock: { hash, expiry } })
    wallet.sign(tx)
    return { hash: toHex(hash), amount, expiry, transaction: tx.toEnvelope().toXDR('base64') }
  }

  private async dropPending (peer: string, hash: string): Promise<void> {
    await this.components.serializer.run(`leg-out:${peer}`, async () => {
      const leg = this.components.books.legOut(peer)

      if (leg?.pending?.hash === hash) {
        await this.components.books.commit({ legsOut: [{ ...leg, pending: undefined }] })
      }
    })
  }

  /**
   * RouteFulfill from the peer we paid: check the preimage, sync it with our
   * unconditional version for the leg, answer with that version, and pass
   * the preimage upstream
   */
  async fulfilled (peer: PeerId, hashBytes: Uint8Array, preimage: Uint8Array): Promise<RouteMessage> {
    const { books } = this.components
    const hash = toHex(hashBytes)

    if (preimage.byteLength === 0 || preimage.byteLength > 64 || toHex(createHash('sha256').update(preimage).digest()) !== hash) {
      return failure(RouteFail.Code.BAD_PREIMAGE, 'the preimage does not hash to the lock')
    }

    this.components.log('the preimage of %s from %p', hash, peer)

    return this.components.serializer.run(`leg-out:${peer}`, async () => {
      const leg = books.legOut(peer.toString())
      const routed = books.routed(hash)

      if (routed?.out == null || routed.out.peer !== peer.toString() || leg == null) {
        return failure(RouteFail.Code.UNKNOWN_HASH, 'we sent you no payment locked by this hash')
      }

      if (leg.pending?.hash !== hash) {
        // fulfilled before: the version that paid it is the latest we hold, or later ones include it
        return routed.state === 'fulfilled' && leg.transaction != null
          ? { settle: { hash: hashBytes, transaction: leg.transaction } }
          : failure(RouteFail.Code.UNKNOWN_HASH, 'no locked payment of this hash is pending on your leg')
      }

      const settled = this.signSettled(leg)
      const now = Date.now()
      const changes: BookChanges = {
        legsOut: [settled],
        routed: [{ ...routed, state: 'fulfilled', preimage: toHex(preimage), updatedAt: now }]
      }

      // ours to claim upstream: the incoming lock now has its preimage
      const tab = routed.in == null ? undefined : this.currentLegTab(routed.in.peer)

      if (tab?.held?.hash === hash) {
        changes.tabs = [{ ...tab, held: { ...tab.held, preimage: toHex(preimage) }, updatedAt: now }]
      }

      await books.commit(changes)
      changes.tabs?.forEach(tab => { this.components.settler.scheduleClaim(tab) })
      this.fulfilledMetrics(routed)
      this.components.log('payment %s fulfilled by %p', hash, peer)

      if (routed.in != null) {
        this.fulfilUpstream(hash)
      }

      return { settle: { hash: hashBytes, transaction: settled.transaction ?? '' } }
    })
  }

  private signSettled (leg: LegOut): LegOut {
    const { wallet } = this.components
    const total = leg.total + (leg.pending?.amount ?? 0n)
    const tx = buildTabTransaction({ channel: leg.channel, sequence: leg.sequence, payer: wallet.address, payee: leg.payee, asset: wallet.asset, total, passphrase: wallet.passphrase })
    wallet.sign(tx)
    return { ...leg, total, transaction: tx.toEnvelope().toXDR('base64'), pending: undefined }
  }

  /**
   * Pass the preimage to whoever paid us the lock, until it answers with the
   * unconditional version (or the settler claims the lock on the ledger)
   */
  private fulfilUpstream (hash: string): void {
    if (this.fulfilling.has(hash) || !this.started) {
      return
    }

    const controller = new AbortController()
    this.fulfilling.set(hash, controller)

    const attempt = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        const owed = this.owedSettle(this.components.books.routed(hash))

        if (owed == null) {
          return
        }

        try {
          const answer = await this.exchange(peerIdFromString(owed.peer), { fulfill: { hash: Buffer.from(hash, 'hex'), preimage: Buffer.from(owed.preimage, 'hex') } }, { signal: controller.signal })

          if (answer.settle != null && await this.settledUpstream(owed.peer, hash, answer.settle.transaction)) {
            return
          }

          this.components.log('%s answered our preimage for %s without the version it owes', owed.peer, hash)
        } catch (err: any) {
          this.components.log('could not pass the preimage of %s to %s - %e', hash, owed.peer, err)
        }

        await new Promise(resolve => setTimeout(resolve, FULFIL_RETRY_INTERVAL))
      }
    }

    attempt()
      .catch(err => { this.components.log.error('passing the preimage of %s upstream failed - %e', hash, err) })
      .finally(() => { this.fulfilling.delete(hash) })
  }

  /** Who owes us an unconditional version for `routed`, with the preimage to show it */
  private owedSettle (routed: RoutedPayment | undefined): { peer: string, preimage: string } | undefined {
    if (routed?.in == null || routed.preimage == null) {
      return undefined
    }

    const tab = this.currentLegTab(routed.in.peer)
    return tab?.held?.hash === routed.hash && routed.in.expiry * 1000 > Date.now() ? { peer: routed.in.peer, preimage: routed.preimage } : undefined
  }

  /** The upstream's unconditional version: it replaces the lock once it pays at least as much */
  private async settledUpstream (peer: string, hash: string, transaction: string): Promise<boolean> {
    const { books, wallet } = this.components
    return this.components.serializer.run(`routed:${hash}`, async () => {
      const tab = this.currentLegTab(peer)

      if (tab?.held?.hash !== hash) {
        return true
      }

      const total = tab.total + tab.held.amount
      const checked = checkTabTransaction(transaction, { channel: tab.channel, sequence: tab.sequence, payee: wallet.address, asset: wallet.asset, total, passphrase: wallet.passphrase, payer: tab.payer })

      if ('reason' in checked) {
        this.components.log('%s settled %s with a version we refuse: %s', peer, hash, checked.reason)
        return false
      }

      await books.commit({ tabs: [{ ...tab, total, transaction, held: undefined, updatedAt: Date.now() }] })
      this.components.settler.settleIfDue({ ...tab, total, transaction })
      return true
    })
  }

  /** RouteFail from the peer we paid: it will not fulfil (we still watch our lock until it expires) */
  private async failedDownstream (peer: PeerId, fail: RouteFail): Promise<RouteMessage> {
    const routed = this.components.books.routed(toHex(fail.hash))

    if (routed?.out?.peer !== peer.toString() || routed.state !== 'pending') {
      return failure(RouteFail.Code.UNKNOWN_HASH, 'we sent you no pending payment locked by this hash')
    }

    await this.failUpstream(routed.hash, RouteFail.Code.NEXT_HOP_FAILED, fail.reason)
    return { fail: { hash: fail.hash, code: fail.code, reason: 'noted' } }
  }

  /**
   * Tell the upstream peer a payment will not reach its payee, so its client
   * can pay another way; the locks stay as they are, and expire unclaimed
   * unless a preimage turns up after all
   */
  private async failUpstream (hash: string, code: RouteFail.Code, reason: string): Promise<void> {
    const routed = this.components.books.routed(hash)

    if (routed == null || routed.state !== 'pending') {
      return
    }

    await this.components.books.commit({ routed: [{ ...routed, state: 'failed', reason, updatedAt: Date.now() }] })
    this.components.metrics.routed?.increment({ failed: true })
    this.waiting.get(hash)?.abort(new Error(`the route failed: ${reason}`))

    if (routed.in != null) {
      await this.exchange(peerIdFromString(routed.in.peer), { fail: { hash: Buffer.from(hash, 'hex'), code, reason } })
        .catch(err => { this.components.log('could not tell %s that %s failed - %e', routed.in?.peer, hash, err) })
    }
  }

  private fulfilledMetrics (routed: RoutedPayment): void {
    const { metrics } = this.components
    metrics.routed?.increment({ fulfilled: true })

    if (routed.in != null && routed.out != null && routed.state !== 'fulfilled') {
      metrics.relayFees?.increment(Number(routed.in.amount - routed.out.amount))
    }
  }

  /** Whether our leg to `peer` is free of a live lock, waiting until `deadline` for the one on it to resolve */
  private async legFree (peer: string, deadline: number, signal: AbortSignal): Promise<boolean> {
    return waitUntil(() => liveLock(this.components.books.legOut(peer)) == null, deadline, SETTLE_POLL, signal)
  }

  /** Stroops pending on all our outgoing legs */
  private pendingOut (): bigint {
    return lockedOn(this.components.books.legOutList())
  }

  /**
   * The peer's open leg tab, once a lock on it whose preimage we passed on
   * is paid unconditionally: its payer sends that version back as it goes
   * on, so we wait a moment for it
   */
  private async settledLegTab (peer: string, signal: AbortSignal): Promise<Tab | undefined> {
    await waitUntil(() => this.currentLegTab(peer)?.held?.preimage == null, Date.now() + SETTLE_WAIT, SETTLE_POLL, signal)
    return this.currentLegTab(peer)
  }

  /** The open leg tab a peer pays us on */
  private currentLegTab (peer: string): Tab | undefined {
    const leg = this.components.books.legIn(peer)
    const tab = leg == null ? undefined : this.components.books.tab(leg.channel, leg.sequence)
    return tab?.state === 'open' ? tab : undefined
  }

  /** The peer's open leg tab, leasing a channel for a new one */
  private async legTab (peer: string, options: AbortOptions): Promise<Tab> {
    return this.components.serializer.run(`leg-in:${peer}`, async () => this.openLegTab(peer, options))
  }

  /** As legTab, for a caller that holds the peer's `leg-in` lock */
  private async openLegTab (peer: string, options: AbortOptions): Promise<Tab> {
    const current = this.currentLegTab(peer)

    if (current != null) {
      return current
    }

    const lease = await leaseChannel(this.components.channels, this.components.settler, options)
    const now = Date.now()
    const tab: Tab = { peer, channel: lease.channel, sequence: lease.sequence, total: 0n, state: 'open', openedAt: now, updatedAt: now, leg: true }
    await this.components.books.commit({ tabs: [tab], legsIn: [{ peer, channel: tab.channel, sequence: tab.sequence }] })
    return tab
  }

  private legOf (tab: Tab): Leg {
    return { payee: this.components.wallet.address, channel: tab.channel, sequence: tab.sequence, total: tab.total }
  }

  /** One exchange with `peer`: a message and its answer */
  async exchange (peer: PeerId, message: RouteMessage, options: AbortOptions = {}): Promise<RouteMessage> {
    const signal = anySignal([AbortSignal.timeout(this.init.messageTimeout), options.signal])

    try {
      const stream = await this.components.connectionManager.openStream(peer, ROUTE_PROTOCOL, { signal })
      const channel = routeChannel(stream)

      try {
        await channel.write(message, { signal })
        const answer = await channel.read({ signal })
        await channel.close({ signal })
        return answer
      } catch (err: any) {
        channel.abort(err)
        throw err
      }
    } finally {
      signal.clear()
    }
  }
}

function failure (code: RouteFail.Code, reason: string, leg?: Leg): Failure {
  return { fail: { hash: new Uint8Array(0), code, reason, leg } }
}
