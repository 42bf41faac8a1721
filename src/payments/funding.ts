/**
 * Whether a payer can keep its promises to us: its account exists, holds an
 * authorized trustline to the asset and a balance that covers every tab it
 * has open with us. A payment is credited only against such a promise: a
 * payer without a trustline, or short of its tabs, signs transactions that
 * can never land. A payer's account is read at most every `maxAge` ms, so a
 * flood of payments costs one read per payer and period.
 */
import { FUNDING_MAX_AGE } from './constants.js'
import type { PaymentBooks, Tab } from './books/index.js'
import type { AssetStanding, StellarWallet } from './stellar/wallet.js'
import type { AbortOptions } from '@libp2p/interface'

/** Payer accounts remembered; the least recently read go first */
const MAX_PAYERS = 4096

export interface FundingInit {
  books: PaymentBooks
  wallet: Pick<StellarWallet, 'standing'>

  /**
   * Milliseconds a payer's standing stays good
   *
   * @default FUNDING_MAX_AGE
   */
  maxAge?: number
}

export class Funding {
  private readonly books: PaymentBooks
  private readonly wallet: FundingInit['wallet']
  private readonly maxAge: number
  private readonly standings = new Map<string, { standing: AssetStanding, at: number }>()

  constructor (init: FundingInit) {
    this.books = init.books
    this.wallet = init.wallet
    this.maxAge = init.maxAge ?? FUNDING_MAX_AGE
  }

  /**
   * Why `payer` cannot fund its open tabs with us, `tab` counted at `total`
   * (a payment it is making now), or undefined when it can
   */
  async shortfall (payer: string, tab?: { channel: string, sequence: bigint, total: bigint }, options: AbortOptions = {}): Promise<string | undefined> {
    const standing = await this.standing(payer, options)
    const owed = this.owedBy(payer, tab)

    if (!standing.exists) {
      return `the payer's account ${payer} does not exist`
    }

    if (standing.balance == null || !standing.authorized) {
      return `the payer's account ${payer} has no authorized trustline to the asset`
    }

    if (standing.balance < owed) {
      return `the payer's account ${payer} holds ${standing.balance} stroops, less than the ${owed} of its tabs with us`
    }
  }

  /** Stroops `payer` owes on its unsettled tabs with us, `tab` at its new total */
  private owedBy (payer: string, tab?: { channel: string, sequence: bigint, total: bigint }): bigint {
    let owed = tab?.total ?? 0n

    for (const other of this.books.tabList(['open', 'submitting'])) {
      if (other.payer === payer && (other.transaction != null || other.held != null) && !same(other, tab)) {
        owed += other.total + (other.held?.amount ?? 0n)
      }
    }

    return owed
  }

  private async standing (payer: string, options: AbortOptions): Promise<AssetStanding> {
    const cached = this.standings.get(payer)

    if (cached != null && Date.now() - cached.at <= this.maxAge) {
      return cached.standing
    }

    const standing = await this.wallet.standing(payer, options)
    this.standings.delete(payer)
    this.standings.set(payer, { standing, at: Date.now() })

    if (this.standings.size > MAX_PAYERS) {
      this.standings.delete(this.standings.keys().next().value as string)
    }

    return standing
  }
}

function same (a: Pick<Tab, 'channel' | 'sequence'>, b?: { channel: string, sequence: bigint }): boolean {
  return b != null && a.channel === b.channel && a.sequence === b.sequence
}
