/**
 * Settlement: a tab's latest transaction goes to the ledger, with the
 * channel account's signature added only now, once the tab holds
 * `settleAmount`, once it is `settleInterval` old, and on shutdown. The books
 * record "submitting" (with the hash) before the transaction leaves, so after
 * a crash the ledger tells whether it landed, and the sequence number makes a
 * second submission harmless.
 */
import { TransactionBuilder } from '@stellar/stellar-sdk'
import { raceSignal } from 'race-signal'
import { DEFAULT_SHUTDOWN_SETTLE_TIMEOUT, MAX_SETTLE_CHECK_INTERVAL, MIN_SETTLE_CHECK_INTERVAL } from './constants.js'
import { TransactionRefusedError } from './errors.js'
import { DEFAULT_CLAIM_MARGIN } from './routes/constants.js'
import { afterSettlement } from './settlement-outcome.js'
import { unlockTabTransaction } from './stellar/tab.js'
import type { PaymentBooks, PaymentEvent, Tab, TabState } from './books/index.js'
import type { PaymentMetrics } from './metrics.js'
import type { ChannelPool } from './stellar/channels.js'
import type { StellarWallet } from './stellar/wallet.js'
import type { KeyedSerializer } from '../utils/keyed-serializer.js'
import type { AbortOptions, Logger, Startable } from '@libp2p/interface'
import type { Transaction } from '@stellar/stellar-sdk'

export interface SettlerComponents {
  /** Told of every tab that settled or failed, once the books hold it */
  onFinished?(tab: Tab): void
  books: PaymentBooks
  wallet: StellarWallet
  channels: ChannelPool
  serializer: KeyedSerializer
  metrics: PaymentMetrics
  log: Logger
}

export interface SettlerInit {
  /** Stroops a tab holds before it is settled */
  settleAmount: bigint
  /** Milliseconds after a tab opened that it is settled */
  settleInterval: number
  /**
   * Milliseconds settling may take on shutdown
   *
   * @default 30_000
   */
  shutdownTimeout?: number

  /**
   * Seconds before a lock expires that a lock we hold the preimage of, and
   * were not paid unconditionally for, is claimed on the ledger
   *
   * @default 15
   */
  claimMargin?: number
}

export function tabLock (tab: Pick<Tab, 'channel' | 'sequence'>): string {
  return `tab:${tab.channel}/${tab.sequence}`
}

/**
 * Whether the tab waits for the payer's answer to our last request: it may
 * hold a newer transaction for the tab than we do, so settling ours first
 * would lose the difference. An expired request waits no more: the payer
 * can no longer pay it, and a payer that never answers (a plain bitswap
 * client, one that vanished) would otherwise hold the tab, its income and
 * its channel forever.
 */
export function awaitsAnswer (tab: Tab, now = Date.now()): boolean {
  return (tab.pending != null && (tab.pending.expiry ?? 0) > now) || (tab.held != null && tab.held.preimage == null && tab.held.expiry * 1000 > now)
}

/** Whether the tab holds a lock we can claim: its preimage is known and it has not expired */
function claimable (tab: Tab, now = Date.now()): boolean {
  return tab.held?.preimage != null && tab.held.expiry * 1000 > now
}

/** Whether the tab holds something that can land */
function payable (tab: Tab, now = Date.now()): boolean {
  return tab.transaction != null || claimable(tab, now)
}

export class Settler implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:payments:settler'
  private readonly components: SettlerComponents
  private readonly init: SettlerInit
  private timer?: ReturnType<typeof setInterval>
  private readonly running = new Set<Promise<void>>()

  constructor (components: SettlerComponents, init: SettlerInit) {
    this.components = components
    this.init = init
  }

  isStarted (): boolean {
    return this.timer != null
  }

  start (): void {
    const every = Math.max(MIN_SETTLE_CHECK_INTERVAL, Math.min(this.init.settleInterval / 4, MAX_SETTLE_CHECK_INTERVAL))
    this.timer = setInterval(() => { this.settleDue() }, every)
    this.timer.unref()
    // tabs a crash left mid-submission: the ledger says whether they landed
    this.settleDue()
    this.components.books.tabList(['open']).forEach(tab => { this.scheduleClaim(tab) })
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.settleAll({ signal: AbortSignal.timeout(this.init.shutdownTimeout ?? DEFAULT_SHUTDOWN_SETTLE_TIMEOUT) })
      .catch(err => { this.components.log.error('could not settle every tab on shutdown - %e', err) })
  }

  /**
   * Claim a lock whose preimage the tab holds, if nobody pays it
   * unconditionally first: at `claimMargin` before it expires
   */
  scheduleClaim (tab: Tab): void {
    if (tab.held?.preimage == null || this.timer == null) {
      return
    }

    const at = (tab.held.expiry - (this.init.claimMargin ?? DEFAULT_CLAIM_MARGIN)) * 1000
    const timer = setTimeout(() => {
      const current = this.components.books.tab(tab.channel, tab.sequence)

      if (current?.held?.preimage != null && current.held.hash === tab.held?.hash) {
        this.background(current)
      }
    }, Math.max(0, at - Date.now()))
    timer.unref()
  }

  /**
   * Settle in the background if the tab holds enough, or at once when
   * `early` (a new payer's first tab, which shows whether its promises land)
   */
  settleIfDue (tab: Tab, early = false): void {
    if (early || tab.total >= this.init.settleAmount) {
      this.background(tab)
    }
  }

  /** Settle every tab that holds a payment; resolves when all have an outcome */
  async settleAll (options: AbortOptions = {}): Promise<Tab[]> {
    const tabs = this.components.books.tabList(['open', 'submitting']).filter(tab => payable(tab) && !awaitsAnswer(tab))
    await Promise.all(tabs.map(async tab => this.settle(tab, options)))
    return tabs.map(tab => this.components.books.tab(tab.channel, tab.sequence) ?? tab)
  }

  /**
   * Free a channel: settle (or, never paid, close) the oldest open tab; with
   * none to settle, wait for a settlement under way to end
   */
  async settleOldest (options: AbortOptions = {}): Promise<void> {
    const oldest = this.components.books.tabList(['open']).filter(tab => !awaitsAnswer(tab)).pop()

    if (oldest != null) {
      await this.settle(oldest, options)
    } else if (this.running.size > 0) {
      await raceSignal(Promise.race(this.running), options.signal)
    }
  }

  async settle (tab: Pick<Tab, 'channel' | 'sequence'>, options: AbortOptions = {}): Promise<void> {
    await this.components.serializer.run(tabLock(tab), async () => this.submit(tab, options))
  }

  private settleDue (): void {
    const now = Date.now()

    for (const tab of this.components.books.tabList(['open', 'submitting'])) {
      const claimBy = tab.held?.preimage == null ? Infinity : (tab.held.expiry - (this.init.claimMargin ?? DEFAULT_CLAIM_MARGIN)) * 1000

      if (tab.state === 'submitting' || (claimable(tab, now) && now >= claimBy) || (payable(tab, now) && !awaitsAnswer(tab, now) && (now - tab.openedAt >= this.init.settleInterval || tab.total >= this.init.settleAmount))) {
        this.background(tab)
      }
    }
  }

  private background (tab: Tab): void {
    const running = this.settle(tab)
      .catch(err => { this.components.log.error('settling %s/%s failed - %e', tab.channel, tab.sequence, err) })
      .finally(() => { this.running.delete(running) })
    this.running.add(running)
  }

  private async submit (ref: Pick<Tab, 'channel' | 'sequence'>, options: AbortOptions): Promise<void> {
    const { books, wallet, channels, metrics, log } = this.components
    let tab = books.tab(ref.channel, ref.sequence)

    if (tab == null || (tab.state !== 'open' && tab.state !== 'submitting') || (tab.state === 'open' && awaitsAnswer(tab))) {
      return
    }

    if (tab.state === 'open') {
      tab = withClaim(tab, wallet.passphrase)
    }

    if (tab.transaction == null) {
      await this.finish(tab, 'failed', 'never paid')
      return
    }

    const tx = TransactionBuilder.fromXDR(tab.transaction, wallet.passphrase) as Transaction
    tx.sign(channels.keypair(tab.channel))
    const hash = Buffer.from(tx.hash()).toString('hex')

    if (tab.state === 'open') {
      tab = { ...tab, state: 'submitting', hash, updatedAt: Date.now() }
      await books.commit({ tabs: [tab], events: [event(tab, 'settlement-submitted')] })
      metrics.settlements?.increment({ submitted: true })
    }

    log('settling %s stroops from %s on %s/%s', tab.total, tab.peer, tab.channel, tab.sequence)

    try {
      await wallet.submit(tx, `the settlement of tab ${tab.channel}/${tab.sequence}`, options)
      await this.finish(tab, 'settled')
    } catch (err) {
      if (!(err instanceof TransactionRefusedError)) {
        // the ledger did not answer: the timer tries again
        log.error('could not submit the settlement of %s/%s - %e', tab.channel, tab.sequence, err)
        return
      }

      const landed = err.resultCodes.transaction === 'tx_bad_seq' ? await wallet.transaction(hash, options) : null

      if (landed != null) {
        // submitted before a crash, or by an earlier attempt that timed out
        await this.finish(tab, landed.successful ? 'settled' : 'failed', landed.successful ? undefined : 'tx_failed')
        return
      }

      if (err.resultCodes.transaction === 'tx_too_late' && tab.fallback != null) {
        // the lock expired before it landed: the version it added to is still good, at the same sequence
        log('the claimed lock on %s/%s came too late; settling the version before it', tab.channel, tab.sequence)
        const { transaction, total } = tab.fallback
        await books.commit({ tabs: [{ ...tab, state: 'open', transaction, total, fallback: undefined, hash: undefined, updatedAt: Date.now() }] })
        await this.submit(tab, options)
        return
      }

      const codes = [err.resultCodes.transaction, ...(err.resultCodes.operations ?? [])].join(',')
      await this.finish(tab, 'failed', codes)

      if (err.resultCodes.transaction !== 'tx_failed') {
        // refused before it consumed its sequence number, which later tabs on the channel need used up
        await channels.retire(tab.channel, tab.sequence, options)
          .catch(err => { log.error('could not retire sequence %s of %s - %e', tab?.sequence, tab?.channel, err) })
      }
    }
  }

  private async finish (tab: Tab, state: TabState, result?: string): Promise<void> {
    const { books, channels, metrics, log } = this.components
    const done: Tab = { ...tab, state, result, updatedAt: Date.now() }
    // the tab and what it means for the payer's standing, in one write, from
    // the account as it is then (the peer may be paying meanwhile)
    await books.commit(() => ({
      tabs: [done],
      payee: afterSettlement(books.payee(tab.peer), done, state === 'settled'),
      events: [event(done, state === 'settled' ? 'settled' : 'settlement-failed', result)]
    }))
    channels.release(tab.channel)
    this.components.onFinished?.(done)
    metrics.settlements?.increment({ [state]: true })

    if (state === 'settled') {
      metrics.stroopsSettled?.increment(Number(tab.total))
    }

    log('tab %s/%s of %s: %s %s', tab.channel, tab.sequence, tab.peer, state, result ?? '')
  }
}

/**
 * The tab as it goes to the ledger: a lock with its preimage is claimed, in
 * place of the version it adds to (kept to fall back on); one without lapsed
 */
function withClaim (tab: Tab, passphrase: string): Tab {
  if (tab.held == null) {
    return tab
  }

  if (!claimable(tab) || tab.held.preimage == null) {
    return { ...tab, held: undefined }
  }

  const claim = unlockTabTransaction(tab.held.transaction, Buffer.from(tab.held.preimage, 'hex'), passphrase)
  return { ...tab, total: tab.total + tab.held.amount, transaction: claim.toEnvelope().toXDR('base64'), fallback: { transaction: tab.transaction, total: tab.total }, held: undefined }
}

function event (tab: Tab, kind: PaymentEvent['kind'], reason?: string): PaymentEvent {
  return { time: Date.now(), peer: tab.peer, kind, amount: tab.total, ref: tab.hash ?? '', reason }
}
