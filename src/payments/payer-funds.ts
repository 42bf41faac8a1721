/**
 * What the payer can still promise: its asset balance on the ledger less the
 * totals of every tab it signed that has not landed yet. Everything here is
 * read outside the payer's decision lock (`prepare`), at most every `maxAge`
 * ms and again when the balance looks short, each channel once; a decision
 * then uses what was read (`check`).
 *
 * A tab leaves the promises once its channel's sequence number passes the
 * tab's. What took the number is then looked up: our payment, landed, or
 * not (the payee's settlement failed, or it retired the number unused), in
 * which case the bytes that tab paid for are unpaid again, in our books as
 * in an honest payee's, and it bills them anew.
 */
import { DEFAULT_ACCOUNT_READ_MAX_AGE } from './constants.js'
import { Reject } from './pb/payment.js'
import type { PayerAccount, PaymentBooks, PayerTab } from './books/index.js'
import type { StellarWallet } from './stellar/wallet.js'
import type { KeyedSerializer } from '../utils/keyed-serializer.js'
import type { AbortOptions, Logger } from '@libp2p/interface'

export interface PayerFundsInit {
  books: PaymentBooks
  /** The payer's decisions take its 'payer' lock */
  serializer: KeyedSerializer
  wallet: Pick<StellarWallet, 'address' | 'balance' | 'sequence' | 'transactionAt' | 'asset'>
  log: Logger

  /**
   * Milliseconds a balance read stays good
   *
   * @default 5000
   */
  maxAge?: number
}

export interface FundsProblem {
  code: Reject.Code
  reason: string
}

export class PayerFunds {
  private readonly books: PaymentBooks
  private readonly serializer: KeyedSerializer
  private readonly wallet: PayerFundsInit['wallet']
  private readonly log: Logger
  private readonly maxAge: number
  private cached?: { balance: bigint | null, authorized: boolean, at: number }
  private failure?: { reason: string, at: number }
  private refreshing?: Promise<void>

  constructor (init: PayerFundsInit) {
    this.books = init.books
    this.serializer = init.serializer
    this.wallet = init.wallet
    this.log = init.log
    this.maxAge = init.maxAge ?? DEFAULT_ACCOUNT_READ_MAX_AGE
  }

  /**
   * Read what is stale, or all of it when `amount` looks more than we can
   * pay; one read at a time, a second caller waits for the running one
   */
  async prepare (amount: bigint, options: AbortOptions = {}): Promise<void> {
    const fresh = this.cached != null && Date.now() - this.cached.at <= this.maxAge

    if (fresh && this.available() >= amount) {
      return
    }

    this.refreshing ??= this.refresh(options).finally(() => { this.refreshing = undefined })
    await this.refreshing
  }

  /** Why `amount` cannot be paid now, from the last read; undefined when it can */
  check (amount: bigint): FundsProblem | undefined {
    if (this.failure != null && (this.cached == null || this.failure.at > this.cached.at)) {
      return { code: Reject.Code.UNAVAILABLE, reason: `cannot read our balance: ${this.failure.reason}` }
    }

    if (this.cached?.balance == null || !this.cached.authorized) {
      return { code: Reject.Code.NO_TRUSTLINE, reason: `we have no authorized trustline to ${this.wallet.asset.getCode()}` }
    }

    if (this.available() < amount) {
      return { code: Reject.Code.INSUFFICIENT_BALANCE, reason: `we can pay ${this.available()} stroops more, not ${amount}` }
    }
  }

  /** Stroops not yet promised to anyone */
  available (): bigint {
    return (this.cached?.balance ?? 0n) - this.unsettled()
  }

  private unsettled (): bigint {
    const tabs = this.books.payerAccounts().reduce((sum, account) => sum + account.unsettled.reduce((tabs, tab) => tabs + tab.total, 0n), 0n)
    // legs of payment routes we pay on: what we signed, and a lock that may yet be claimed
    const legs = this.books.legOutList().reduce((sum, leg) => sum + leg.total + (leg.pending?.amount ?? 0n), 0n)
    return tabs + legs
  }

  private async refresh (options: AbortOptions): Promise<void> {
    try {
      // tabs first: one that lands between the two reads is then counted twice, never not at all
      await this.settleTabs(options)
      const balance = await this.wallet.balance(options)
      this.cached = { balance: balance.assetBalance, authorized: balance.authorized, at: Date.now() }
    } catch (err: any) {
      this.failure = { reason: err.message, at: Date.now() }
      this.log('could not read our funds - %e', err)
    }
  }

  /** Drop the tabs whose sequence numbers were used, each as it ended */
  private async settleTabs (options: AbortOptions): Promise<void> {
    const accounts = this.books.payerAccounts().filter(account => account.unsettled.length > 0)
    const legs = this.books.legOutList().filter(leg => leg.total > 0n || leg.pending != null)
    const channels = new Set([...accounts.flatMap(account => account.unsettled.map(tab => tab.channel)), ...legs.map(leg => leg.channel)])
    const sequences = new Map<string, bigint | null>()

    // one read per channel, however many tabs share it
    for (const channel of channels) {
      sequences.set(channel, await this.wallet.sequence(channel, options))
    }

    const outcomes: Array<{ peer: string, tab: PayerTab, landed: bigint }> = []

    for (const account of accounts) {
      for (const tab of account.unsettled) {
        const sequence = sequences.get(tab.channel)

        if (sequence != null && sequence >= tab.sequence) {
          outcomes.push({ peer: account.peer, tab, landed: await this.landed(tab, account.peer, options) })
        }
      }
    }

    // a leg's tab whose number was used promises nothing more: the leg goes on on a new tab
    const ended = legs.filter(leg => { const sequence = sequences.get(leg.channel); return sequence != null && sequence >= leg.sequence })

    if (ended.length > 0) {
      await this.books.commit(() => ({
        legsOut: ended.flatMap(leg => {
          const current = this.books.legOut(leg.peer)
          return current?.channel === leg.channel && current.sequence === leg.sequence ? [{ ...current, total: 0n, transaction: undefined, pending: undefined }] : []
        })
      }))
    }

    if (outcomes.length === 0) {
      return
    }

    // in the decision lock, on the accounts as they are then: a payment
    // made meanwhile is never written over
    await this.serializer.run('payer', async () => {
      for (const peer of new Set(outcomes.map(outcome => outcome.peer))) {
        await this.books.commit(() => {
          let account = this.books.payer(peer)

          for (const { tab, landed } of outcomes.filter(outcome => outcome.peer === peer)) {
            const current = account.unsettled.find(other => other.channel === tab.channel && other.sequence === tab.sequence)
            account = current == null ? account : withOutcome(account, current, landed)
          }

          return { payer: account }
        })
      }
    })
  }

  /**
   * Stroops of ours that landed with the transaction at the tab's sequence
   * number; the whole tab when the ledger does not list it (nothing to say
   * otherwise)
   */
  private async landed (tab: PayerTab, peer: string, options: AbortOptions): Promise<bigint> {
    const tx = await this.wallet.transactionAt(tab.channel, tab.sequence, options)

    if (tx == null) {
      return tab.total
    }

    const ours = tx.successful ? tx.payments.find(payment => payment.from === this.wallet.address) : undefined

    if (ours?.amount !== tab.total) {
      this.log('tab %s/%s with %s: %s of our %s stroops landed', tab.channel, tab.sequence, peer, ours?.amount ?? 0n, tab.total)
    }

    return ours?.amount ?? 0n
  }
}

/**
 * The account once a tab's outcome is known: what did not land is unpaid
 * again, from the end of the version that landed (or the tab's start)
 */
function withOutcome (account: PayerAccount, tab: PayerTab, landed: bigint): PayerAccount {
  const unsettled = account.unsettled.filter(other => other.channel !== tab.channel || other.sequence !== tab.sequence)

  if (landed === tab.total || tab.rangeStart == null) {
    return { ...account, unsettled }
  }

  const version = tab.versions?.find(version => version.total === landed)
  const paidThrough = landed === 0n ? tab.rangeStart : version?.rangeEnd ?? tab.rangeStart
  const latestOnTab = account.latest?.channel === tab.channel && account.latest.sequence === tab.sequence

  return {
    ...account,
    unsettled,
    paidThrough: paidThrough < account.paidThrough ? paidThrough : account.paidThrough,
    received: account.received != null && account.received > paidThrough ? paidThrough : account.received,
    paid: account.paid - (tab.total - landed),
    // attention of the versions that did not land
    ...(tab.attention == null ? {} : { attention: (account.attention ?? 0n) - (tab.attention - (landed === 0n ? 0n : version?.attention ?? 0n)) }),
    latest: latestOnTab ? undefined : account.latest
  }
}
