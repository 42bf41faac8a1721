/**
 * What the payer can still promise: its asset balance on the ledger less the
 * totals of every tab it signed that has not landed yet. A tab has landed
 * once its channel's sequence number reaches the tab's. The balance is read
 * at most every `maxAge` ms, and again whenever it looks too small.
 */
import { Reject } from './pb/payment.js'
import type { PaymentBooks } from './books/index.js'
import type { StellarWallet } from './stellar/wallet.js'
import type { AbortOptions } from '@libp2p/interface'

export interface PayerFundsInit {
  books: PaymentBooks
  wallet: StellarWallet
  /**
   * Milliseconds a balance read stays good
   *
   * @default 5000
   */
  maxAge?: number
}

export class PayerFunds {
  private readonly books: PaymentBooks
  private readonly wallet: StellarWallet
  private readonly maxAge: number
  private cached?: { balance: bigint | null, authorized: boolean, at: number }

  constructor (init: PayerFundsInit) {
    this.books = init.books
    this.wallet = init.wallet
    this.maxAge = init.maxAge ?? 5000
  }

  /** Why `amount` cannot be paid now, or undefined when it can */
  async check (amount: bigint, options: AbortOptions = {}): Promise<{ code: Reject.Code, reason: string } | undefined> {
    if (this.cached == null || Date.now() - this.cached.at > this.maxAge || this.available() < amount) {
      try {
        await this.refresh(options)
      } catch (err: any) {
        return { code: Reject.Code.UNAVAILABLE, reason: `cannot read our balance: ${err.message}` }
      }
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
    return this.books.payerAccounts().reduce((sum, account) => sum + account.unsettled.reduce((tabs, tab) => tabs + tab.total, 0n), 0n)
  }

  private async refresh (options: AbortOptions): Promise<void> {
    // tabs first: one that lands between the two reads is then counted twice, never not at all
    for (const account of this.books.payerAccounts()) {
      const unsettled = []

      for (const tab of account.unsettled) {
        const sequence = await this.wallet.sequence(tab.channel, options)

        if (sequence == null || sequence < tab.sequence) {
          unsettled.push(tab)
        }
      }

      if (unsettled.length !== account.unsettled.length) {
        await this.books.commit({ payer: { ...account, unsettled } })
      }
    }

    const balance = await this.wallet.balance(options)
    this.cached = { balance: balance.assetBalance, authorized: balance.authorized, at: Date.now() }
  }
}
