/**
 * What the user owes site owners for attention, per site: accrued at
 * `pricePerMinute` as attention is recorded, paid in rounds to the node that
 * publishes the site (found by its name), through the payment protocol and
 * so within the payment budgets. A payment is counted as paid before it is
 * offered and put back by what the owner did not take: a crash in between
 * can leave one payment unmade, never make one twice.
 */
import { anySignal } from 'any-signal'
import { Key } from 'interface-datastore'
import { z } from 'zod'
import { MAX_ATTENTION_OFFER, MIN_ATTENTION_OFFER } from '../payments/index.js'
import { MAX_PAYMENTS_PER_ROUND, PAYMENT_TIMEOUT } from './constants.js'
import type { AbortOptions, Logger, PeerId } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

const PREFIX = '/torplus/owed'

/** Owed money as kept: sixtieths of a stroop (a second at a price per minute), and stroops paid */
const DueSchema = z.strictObject({ owed: z.string().regex(/^\d{1,30}$/), paid: z.string().regex(/^\d{1,30}$/) })

/** The owners of sites, and the way to pay them */
export interface SiteOwners {
  /** The peer that publishes the site named `site` */
  peerOf(site: string, options?: AbortOptions): Promise<PeerId>
  /** Offer `peer` `amount` stroops for attention to `site`; resolves to what it took */
  offer(peer: PeerId, amount: bigint, site: string, options?: AbortOptions): Promise<bigint>
}

export interface SiteDue {
  site: string
  /** Stroops accrued for attention to the site, in all */
  owed: bigint
  /** Stroops paid of it */
  paid: bigint
}

export interface AttentionPayment {
  site: string
  /** Stroops offered to the site's owner */
  offered: bigint
  /** Stroops it took */
  paid: bigint
  /** The owner, once found */
  peer?: string
  /** Why nothing or less was paid */
  error?: string
}

interface Stored { owed: bigint, paid: bigint }

export class AttentionDues {
  private readonly datastore: Datastore
  private readonly pricePerMinute: bigint
  private readonly owners: SiteOwners
  private readonly log: Logger

  constructor (init: { datastore: Datastore, pricePerMinute: bigint, owners: SiteOwners, log: Logger }) {
    this.datastore = init.datastore
    this.pricePerMinute = init.pricePerMinute
    this.owners = init.owners
    this.log = init.log
  }

  /** Owe the site's owner for `seconds` more of attention; callers write one at a time */
  async accrue (site: string, seconds: number, options: AbortOptions = {}): Promise<void> {
    const stored = await this.read(site, options)
    await this.write(site, { ...stored, owed: stored.owed + BigInt(seconds) * this.pricePerMinute }, options)
  }

  /** Every site owed for, most due first */
  async list (options: AbortOptions = {}): Promise<SiteDue[]> {
    const dues: SiteDue[] = []

    for await (const { key, value } of this.datastore.query({ prefix: PREFIX }, options)) {
      const stored = parse(value)
      dues.push({ site: key.baseNamespace(), owed: stored.owed / 60n, paid: stored.paid })
    }

    return dues.sort((a, b) => {
      const due = (b.owed - b.paid) - (a.owed - a.paid)
      return due === 0n ? a.site.localeCompare(b.site) : Number(due > 0n) - Number(due < 0n)
    })
  }

  /**
   * Pay the owners of the sites owed at least MIN_ATTENTION_OFFER, most due
   * first, MAX_PAYMENTS_PER_ROUND at most; `write` serializes with `accrue`
   */
  async pay (write: <T>(task: () => Promise<T>) => Promise<T>, options: AbortOptions = {}): Promise<AttentionPayment[]> {
    const due = (await this.list(options))
      .filter(site => site.owed - site.paid >= MIN_ATTENTION_OFFER)
      .slice(0, MAX_PAYMENTS_PER_ROUND)
    const payments: AttentionPayment[] = []

    for (const { site } of due) {
      payments.push(await this.payOne(site, write, options))
    }

    return payments
  }

  private async payOne (site: string, write: <T>(task: () => Promise<T>) => Promise<T>, options: AbortOptions): Promise<AttentionPayment> {
    const signal = anySignal([AbortSignal.timeout(PAYMENT_TIMEOUT), options.signal])

    try {
      return await this.offerTo(site, write, signal)
    } finally {
      signal.clear()
    }
  }

  private async offerTo (site: string, write: <T>(task: () => Promise<T>) => Promise<T>, signal: AbortSignal): Promise<AttentionPayment> {
    const options = { signal }
    let peer: PeerId

    try {
      peer = await this.owners.peerOf(site, options)
    } catch (err: any) {
      return { site, offered: 0n, paid: 0n, error: `its owner could not be reached: ${err.message}` }
    }

    // counted before it goes: a crash mid-offer leaves it unpaid rather than paid twice
    const offered = await write(async () => {
      const stored = await this.read(site, options)
      const due = stored.owed / 60n - stored.paid
      // more than one offer takes waits for the next round
      const amount = due > MAX_ATTENTION_OFFER ? MAX_ATTENTION_OFFER : due

      if (amount < MIN_ATTENTION_OFFER) {
        return 0n
      }

      await this.write(site, { ...stored, paid: stored.paid + amount }, options)
      return amount
    })

    if (offered === 0n) {
      return { site, offered, paid: 0n, peer: peer.toString() }
    }

    let paid = 0n
    let error: string | undefined

    try {
      paid = await this.owners.offer(peer, offered, site, { signal })
      error = paid < offered ? `its owner took ${paid} of ${offered} stroops` : undefined
    } catch (err: any) {
      error = err.message
    }

    if (paid < offered) {
      // whatever the signal says: the books must not keep an offer that was not taken
      await write(async () => {
        const stored = await this.read(site, {})
        await this.write(site, { ...stored, paid: stored.paid - (offered - paid) }, {})
      })
    }

    this.log('paid %p %s of %s stroops for attention to %s%s', peer, paid, offered, site, error == null ? '' : `: ${error}`)
    return { site, offered, paid, peer: peer.toString(), error }
  }

  private async read (site: string, options: AbortOptions): Promise<Stored> {
    try {
      return parse(await this.datastore.get(new Key(`${PREFIX}/${site}`), options))
    } catch (err: any) {
      if (err.name === 'NotFoundError') {
        return { owed: 0n, paid: 0n }
      }

      throw err
    }
  }

  private async write (site: string, stored: Stored, options: AbortOptions): Promise<void> {
    const value = JSON.stringify({ owed: stored.owed.toString(), paid: stored.paid.toString() })
    await this.datastore.put(new Key(`${PREFIX}/${site}`), new TextEncoder().encode(value), options)
  }
}

function parse (value: Uint8Array): Stored {
  try {
    const parsed = DueSchema.safeParse(JSON.parse(new TextDecoder().decode(value)))
    return parsed.success ? { owed: BigInt(parsed.data.owed), paid: BigInt(parsed.data.paid) } : { owed: 0n, paid: 0n }
  } catch {
    return { owed: 0n, paid: 0n }
  }
}
