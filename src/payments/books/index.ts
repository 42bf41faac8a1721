/**
 * The payment books: what each peer owes us and we owe each peer, the tabs
 * (settlement transactions) between us, our channel accounts, the request
 * nonces we have seen, and an event history for charts. Everything lives in
 * memory and in the repo datastore; a change is synced to disk before
 * `commit` resolves, and only then is it acknowledged to a peer.
 */
import type { SpendBucket } from '../spend-window.js'
import type { SyncedStore } from './synced-store.js'

export { levelSyncedStore } from './synced-store.js'
export type { SyncedStore } from './synced-store.js'

const ROOT = '/torplus/payments'
const PAYEE = `${ROOT}/payee/`
const PAYER = `${ROOT}/payer/`
const TABS = `${ROOT}/tabs/`
const CHANNELS = `${ROOT}/channels/`
const NONCES = `${ROOT}/nonces/`
const EVENTS = `${ROOT}/events/`
const BUDGET = `${ROOT}/budget`
const LEGS_IN = `${ROOT}/legs-in/`
const LEGS_OUT = `${ROOT}/legs-out/`
const ROUTED = `${ROOT}/routed/`
const GUARD = `${ROOT}/guard`

export type TabState = 'open' | 'submitting' | 'settled' | 'failed'

/**
 * One settlement transaction between a payer and us: the source is our
 * channel account at `sequence`, and its payment operation, sourced from the
 * payer, pays `total`. Each payment replaces `transaction` with the newer,
 * larger one.
 */
export interface Tab {
  peer: string
  channel: string
  sequence: bigint
  /** Stroops the latest transaction pays */
  total: bigint
  /** The payer's Stellar account, known from its first payment */
  payer?: string
  /** The latest transaction, signed by the payer only */
  transaction?: string
  state: TabState
  openedAt: number
  updatedAt: number
  /** Once submitted */
  hash?: string
  /** Stellar's result codes when it failed */
  result?: string
  /**
   * The request we sent and have no answer to: the payer may have paid it
   * (and we crashed before syncing), so until it expires the tab is not
   * settled, and the next bill asks for its range again; what it asked is
   * all a payer's own account of it may be believed for
   */
  pending?: PendingRequest
  /** The bytes the tab pays for: [rangeStart, rangeEnd) of the peer's count */
  rangeStart?: bigint
  rangeEnd?: bigint
  /** Bytes of that range that were served free */
  free?: bigint
  /** Stroops of `total` that pay for attention, not bytes */
  attention?: bigint
  /** A leg of payment routes: its payer pays forwarded payments, not bytes */
  leg?: boolean
  /** A leg's hash-locked version, pending until fulfilled or expired */
  held?: HeldVersion
  /** While a claimed lock is submitted: the unconditional version it replaced, submitted instead if the lock came too late */
  fallback?: { transaction?: string, total: bigint }
}

/** A hash-locked version of a leg's tab: pays `amount` more than `total`, with the preimage, until `expiry` */
export interface HeldVersion {
  /** Hex sha256 of the preimage */
  hash: string
  amount: bigint
  /** Unix seconds */
  expiry: number
  /** Signed by the payer only */
  transaction: string
  /** Hex, once known: the version can then be claimed on the ledger */
  preimage?: string
}

/** A peer that pays us on a leg: the tab its payments go to */
export interface LegIn {
  peer: string
  channel: string
  sequence: bigint
}

/** A peer we pay on a leg: its tab as we signed it */
export interface LegOut {
  peer: string
  /** The peer's Stellar account */
  payee: string
  channel: string
  sequence: bigint
  /** What our latest unconditional version pays */
  total: bigint
  /** That version, signed by us: resent when the payee lost it */
  transaction?: string
  /** Our pending hash-locked version */
  pending?: Omit<HeldVersion, 'preimage'>
}

/** The lock a leg we pay on holds, if it has not lapsed: only it can still land beside the leg's latest version */
export function liveLock (leg: LegOut | undefined, now = Date.now()): LegOut['pending'] | undefined {
  return leg?.pending != null && leg.pending.expiry * 1000 >= now ? leg.pending : undefined
}

/** Stroops locked on these legs that can still land */
export function lockedOn (legs: LegOut[], now = Date.now()): bigint {
  return legs.reduce((sum, leg) => sum + (liveLock(leg, now)?.amount ?? 0n), 0n)
}

export type RoutedState = 'pending' | 'fulfilled' | 'failed'

/**
 * A payment through a route, by the hash that locks it, as one party sees
 * it: the client (an `out` leg and the request it pays), a relay (`in` and
 * `out`) or the payee (`in`, and the request it answers, with the preimage
 * from the start)
 */
export interface RoutedPayment {
  /** Hex */
  hash: string
  state: RoutedState
  /** Hex, once known */
  preimage?: string
  in?: { peer: string, amount: bigint, expiry: number }
  out?: { peer: string, session: string, amount: bigint, expiry: number }
  /**
   * The payee's request: its id, the peer billed, the amount, the bytes it
   * pays for and when it expires (ms); at the payee, the bytes of the range
   * served free and all bytes served when it was made
   */
  request?: { id: string, peer: string, amount: bigint, rangeStart: bigint, rangeEnd: bigint, expiry: number, free?: bigint, served?: bigint, attention?: bigint }
  /** At the client: the payment is counted in our account with the payee */
  counted?: boolean
  /** Why it failed */
  reason?: string
  createdAt: number
  updatedAt: number
}

export interface PendingRequest {
  requestId: string
  rangeEnd: bigint
  /** When the last request expires, ms since 1970 */
  expiry?: number
  /** What the unanswered requests asked for: the range's end and the tab's total with it */
  asked?: Array<{ rangeEnd: bigint, total: bigint, attention?: bigint }>
}

/** A peer we serve: what it has paid us for */
export interface PayeeAccount {
  peer: string
  /** End of the byte range the peer has paid for; ahead of `served` when it paid ahead */
  paidThrough: bigint
  /** Bytes we had served the peer when it last paid (absent: `paidThrough`) */
  served?: bigint
  /** Stroops received from the peer, over all tabs */
  received: bigint
  /** Stroops of `received` that paid for attention to our sites, not bytes */
  attention?: bigint
  /** Bytes inside paid ranges that were served free (the peer's allowance) */
  forgiven?: bigint
  /** The tab payments go to now */
  tab?: { channel: string, sequence: bigint }
  /** Stroops that landed on the ledger, over all tabs */
  landed?: bigint
  /** Stroops of tabs whose settlement failed, over all tabs */
  defaulted?: bigint
  /**
   * A settlement failed, or its promise became unfundable: the peer is
   * served nothing past its allowance until a payment of its lands
   */
  refused?: boolean
}

/** A tab we signed for a payee and have not seen settled */
export interface PayerTab {
  channel: string
  sequence: bigint
  total: bigint
  /** Where the bytes it pays for begin */
  rangeStart?: bigint
  /** Stroops of `total` that pay for attention, not bytes */
  attention?: bigint
  /** The versions we signed, oldest first (the latest few): what each paid, and up to which byte, and how much of it for attention */
  versions?: Array<{ total: bigint, rangeEnd: bigint, attention?: bigint }>
}

/** A peer that serves us: what we have paid it */
export interface PayerAccount {
  peer: string
  /** End of the byte range we paid for; ahead of `received` when we paid ahead */
  paidThrough: bigint
  /** Bytes we had received from the peer when we last paid (absent: `paidThrough`) */
  received?: bigint
  /** Stroops paid to the peer, over all tabs */
  paid: bigint
  /** Stroops of `paid` that paid for attention to the peer's sites, not bytes: left out of the price check */
  attention?: bigint
  /** Our latest payment, resent when the payee lost track of it */
  latest?: { requestId: string, channel: string, sequence: bigint, total: bigint, transaction: string, rangeEnd: bigint }
  unsettled: PayerTab[]
  /** What we paid the peer, per bucket of the budget period */
  spending?: SpendBucket[]
}

export interface ChannelRecord {
  index: number
  address: string
}

export type PaymentEventKind =
  | 'request-sent' | 'request-refused' | 'payment-received' | 'payment-refused'
  | 'request-received' | 'request-rejected' | 'payment-sent'
  | 'settlement-submitted' | 'settled' | 'settlement-failed'

export interface PaymentEvent {
  time: number
  peer: string
  kind: PaymentEventKind
  /** Stroops */
  amount: bigint
  /** Hex request id, or the transaction hash of a settlement */
  ref: string
  /** A reject code or Stellar's result codes */
  reason?: string
}

/** What we paid all peers, per bucket of the budget period */
export interface Budget {
  spending: SpendBucket[]
}

export interface BookChanges {
  payee?: PayeeAccount
  payer?: PayerAccount
  tabs?: Tab[]
  channel?: ChannelRecord
  nonce?: { peer: string, nonce: string, expiry: number }
  budget?: Budget
  events?: PaymentEvent[]
  forget?: { payee?: string }
  legsIn?: LegIn[]
  legsOut?: LegOut[]
  routed?: RoutedPayment[]
  /** The relay our routes start at, kept for as long as it works */
  guard?: string
  /** Routed payments to forget: a void request's lock, worth nothing once no lock may claim it */
  forgetRouted?: string[]
  /**
   * Tabs to forget: opened for a request its payer answered without signing
   * on them (refused, or paid through a route); nothing can land at their
   * sequence, so the channel's next tab takes it and no ledger transaction
   * has to use it up
   */
  forgetTabs?: Array<Pick<Tab, 'channel' | 'sequence'>>
}

export class PaymentBooks {
  private readonly store: SyncedStore
  private readonly payees = new Map<string, PayeeAccount>()
  private readonly payers = new Map<string, PayerAccount>()
  private readonly tabs = new Map<string, Tab>()
  private readonly channelList: ChannelRecord[] = []
  private budgetState: Budget = { spending: [] }
  private readonly legsIn = new Map<string, LegIn>()
  private readonly legsOut = new Map<string, LegOut>()
  private readonly routedPayments = new Map<string, RoutedPayment>()
  private guardRelay?: string
  private committing: Promise<unknown> = Promise.resolve()
  private eventCounter = 0

  constructor (store: SyncedStore) {
    this.store = store
  }

  async load (): Promise<void> {
    for await (const [, account] of this.store.list<PayeeAccount>(PAYEE)) {
      this.payees.set(account.peer, account)
    }

    for await (const [, account] of this.store.list<PayerAccount & { spent?: bigint, periodStart?: number }>(PAYER)) {
      // books before the sliding window kept one sum per period
      const { spent, periodStart, ...rest } = account
      this.payers.set(account.peer, { ...rest, spending: account.spending ?? (spent == null ? [] : [{ start: periodStart ?? 0, amount: spent }]) })
    }

    for await (const [, tab] of this.store.list<Tab>(TABS)) {
      this.tabs.set(tabKey(tab.channel, tab.sequence), tab)
    }

    for await (const [, channel] of this.store.list<ChannelRecord>(CHANNELS)) {
      this.channelList.push(channel)
    }

    for await (const [, leg] of this.store.list<LegIn>(LEGS_IN)) {
      this.legsIn.set(leg.peer, leg)
    }

    for await (const [, leg] of this.store.list<LegOut>(LEGS_OUT)) {
      this.legsOut.set(leg.peer, leg)
    }

    for await (const [, routed] of this.store.list<RoutedPayment>(ROUTED)) {
      this.routedPayments.set(routed.hash, routed)
    }

    for await (const [, guard] of this.store.list<string>(GUARD)) {
      this.guardRelay = guard
    }

    for await (const [, budget] of this.store.list<Budget & { spent?: bigint, periodStart?: number }>(BUDGET)) {
      // books before the sliding window kept one sum per period
      this.budgetState = { spending: budget.spending ?? (budget.spent == null ? [] : [{ start: budget.periodStart ?? 0, amount: budget.spent }]) }
    }
  }

  payee (peer: string): PayeeAccount {
    return clone(this.payees.get(peer) ?? { peer, paidThrough: 0n, received: 0n })
  }

  /**
   * A payee account's paid-through and forgiven bytes, without a copy: the
   * credit policy reads them for every frame
   */
  payeeCredit (peer: string): { paidThrough: bigint, forgiven: bigint, refused: boolean } {
    const account = this.payees.get(peer)
    return { paidThrough: account?.paidThrough ?? 0n, forgiven: account?.forgiven ?? 0n, refused: account?.refused === true }
  }

  payer (peer: string): PayerAccount {
    return clone(this.payers.get(peer) ?? { peer, paidThrough: 0n, paid: 0n, unsettled: [] })
  }

  payeeAccounts (): PayeeAccount[] {
    return [...this.payees.values()].map(clone)
  }

  payerAccounts (): PayerAccount[] {
    return [...this.payers.values()].map(clone)
  }

  tab (channel: string, sequence: bigint): Tab | undefined {
    const tab = this.tabs.get(tabKey(channel, sequence))
    return tab == null ? undefined : clone(tab)
  }

  /** Tabs, newest first, optionally only those in some states */
  tabList (states?: TabState[]): Tab[] {
    return [...this.tabs.values()]
      .filter(tab => states == null || states.includes(tab.state))
      .sort((a, b) => b.openedAt - a.openedAt)
      .map(clone)
  }

  legIn (peer: string): LegIn | undefined {
    const leg = this.legsIn.get(peer)
    return leg == null ? undefined : clone(leg)
  }

  legOut (peer: string): LegOut | undefined {
    const leg = this.legsOut.get(peer)
    return leg == null ? undefined : clone(leg)
  }

  legOutList (): LegOut[] {
    return [...this.legsOut.values()].map(clone)
  }

  /** The relay our routes start at */
  guard (): string | undefined {
    return this.guardRelay
  }

  routed (hash: string): RoutedPayment | undefined {
    const routed = this.routedPayments.get(hash)
    return routed == null ? undefined : clone(routed)
  }

  /** Routed payments, newest first, optionally only those in some states */
  routedList (states?: RoutedState[]): RoutedPayment[] {
    return [...this.routedPayments.values()]
      .filter(routed => states == null || states.includes(routed.state))
      .sort((a, b) => b.createdAt - a.createdAt)
      .map(clone)
  }

  channels (): ChannelRecord[] {
    return this.channelList.map(clone)
  }

  budget (): Budget {
    return clone(this.budgetState)
  }

  async seenNonce (peer: string, nonce: string): Promise<boolean> {
    return this.store.has(`${NONCES}${peer}/${nonce}`)
  }

  /**
   * Forget nonces whose requests expired before `before`: an expired request
   * is refused as such, so its nonce need not be remembered
   */
  async pruneNonces (before: number): Promise<number> {
    const expired: string[] = []

    for await (const [key, expiry] of this.store.list<number>(NONCES)) {
      if (expiry < before) {
        expired.push(key)
      }
    }

    if (expired.length > 0) {
      await this.store.write([], expired)
    }

    return expired.length
  }

  /**
   * Forget what is older than `before` (ms): history events, and tabs that
   * ended (settled or failed); tabs still open or being submitted stay
   */
  async pruneHistory (before: number): Promise<number> {
    const events: string[] = []

    for await (const [key] of this.store.list<PaymentEvent>(EVENTS, { lt: eventKey(before, '') })) {
      events.push(key)
    }

    const ended = [...this.tabs.values()].filter(tab => (tab.state === 'settled' || tab.state === 'failed') && tab.updatedAt < before)
    // a hash is never accepted twice: a routed payment is kept as long as its lock could land, and then as long as history
    const routed = [...this.routedPayments.values()].filter(payment => payment.state !== 'pending' && payment.updatedAt < before)
    await this.store.write([], [...events, ...ended.map(tab => TABS + tabKey(tab.channel, tab.sequence)), ...routed.map(payment => ROUTED + payment.hash)])
    ended.forEach(tab => this.tabs.delete(tabKey(tab.channel, tab.sequence)))
    routed.forEach(payment => this.routedPayments.delete(payment.hash))

    return events.length + ended.length + routed.length
  }

  /** Forget a payee account (one that never paid us anything) */
  async forgetPayee (peer: string): Promise<void> {
    await this.commit(() => ({ forget: { payee: peer } }))
  }

  /** Events between two times (ms), oldest first */
  async * events (from: number, to: number): AsyncGenerator<PaymentEvent> {
    for await (const [, event] of this.store.list<PaymentEvent>(EVENTS, { gte: eventKey(from, ''), lt: eventKey(to, '') })) {
      yield event
    }
  }

  /**
   * Write the changes, synced; the in-memory books change only once they are
   * on disk. Commits go one at a time, and changes given as a function are
   * made from the books as every earlier commit left them: a change that
   * reads an account and writes it back (a settlement ending while the
   * same peer pays) then never writes over one it did not see.
   */
  async commit (changes: BookChanges | (() => BookChanges)): Promise<BookChanges> {
    const run = async (): Promise<BookChanges> => {
      const made = typeof changes === 'function' ? changes() : changes
      await this.write(made)
      return made
    }
    const next = this.committing.then(run, run)
    this.committing = next.catch(() => {})
    return next
  }

  private async write (changes: BookChanges): Promise<void> {
    const puts: Array<[string, unknown]> = []

    if (changes.payee != null) {
      puts.push([PAYEE + changes.payee.peer, changes.payee])
    }

    if (changes.payer != null) {
      puts.push([PAYER + changes.payer.peer, changes.payer])
    }

    for (const tab of changes.tabs ?? []) {
      puts.push([TABS + tabKey(tab.channel, tab.sequence), tab])
    }

    if (changes.channel != null) {
      puts.push([CHANNELS + changes.channel.index.toString().padStart(6, '0'), changes.channel])
    }

    if (changes.nonce != null) {
      puts.push([`${NONCES}${changes.nonce.peer}/${changes.nonce.nonce}`, changes.nonce.expiry])
    }

    if (changes.budget != null) {
      puts.push([BUDGET, changes.budget])
    }

    puts.push(...routeRecords(changes))

    if (changes.guard != null) {
      puts.push([GUARD, changes.guard])
    }

    for (const event of changes.events ?? []) {
      puts.push([eventKey(event.time, (this.eventCounter++).toString(36).padStart(8, '0')), event])
    }

    await this.store.write(puts, forgottenKeys(changes))
    changes.forgetRouted?.forEach(hash => this.routedPayments.delete(hash))
    changes.forgetTabs?.forEach(tab => this.tabs.delete(tabKey(tab.channel, tab.sequence)))

    if (changes.forget?.payee != null) {
      this.payees.delete(changes.forget.payee)
    }

    if (changes.payee != null) {
      this.payees.set(changes.payee.peer, clone(changes.payee))
    }

    if (changes.payer != null) {
      this.payers.set(changes.payer.peer, clone(changes.payer))
    }

    for (const tab of changes.tabs ?? []) {
      this.tabs.set(tabKey(tab.channel, tab.sequence), clone(tab))
    }

    if (changes.channel != null) {
      this.channelList.push(clone(changes.channel))
    }

    if (changes.budget != null) {
      this.budgetState = clone(changes.budget)
    }

    changes.legsIn?.forEach(leg => this.legsIn.set(leg.peer, clone(leg)))
    changes.legsOut?.forEach(leg => this.legsOut.set(leg.peer, clone(leg)))
    changes.routed?.forEach(routed => this.routedPayments.set(routed.hash, clone(routed)))
    this.guardRelay = changes.guard ?? this.guardRelay
  }
}

/** The keys a change deletes */
function forgottenKeys (changes: BookChanges): string[] {
  const payee = changes.forget?.payee
  return [
    ...(payee == null ? [] : [PAYEE + payee]),
    ...(changes.forgetRouted ?? []).map(hash => ROUTED + hash),
    ...(changes.forgetTabs ?? []).map(tab => TABS + tabKey(tab.channel, tab.sequence))
  ]
}

/** The records of payment routes a change writes */
function routeRecords (changes: BookChanges): Array<[string, unknown]> {
  return [
    ...(changes.legsIn ?? []).map(leg => [LEGS_IN + leg.peer, leg] as [string, unknown]),
    ...(changes.legsOut ?? []).map(leg => [LEGS_OUT + leg.peer, leg] as [string, unknown]),
    ...(changes.routed ?? []).map(routed => [ROUTED + routed.hash, routed] as [string, unknown])
  ]
}

function tabKey (channel: string, sequence: bigint): string {
  return `${channel}/${sequence.toString().padStart(20, '0')}`
}

function eventKey (time: number, suffix: string): string {
  // a random tail keeps two processes' events apart in the same millisecond
  return `${EVENTS}${time.toString().padStart(15, '0')}/${suffix}`
}

function clone<T> (value: T): T {
  return structuredClone(value)
}
