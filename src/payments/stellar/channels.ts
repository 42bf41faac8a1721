/**
 * The payee's channel accounts: a small pool of accounts it owns, one leased
 * to each payer with an open tab, so that each tab's transaction has a
 * sequence space of its own and payers never contend for one sequence
 * number. Their keys are derived from the node's Stellar seed, so the
 * keystore holds one secret; the pool grows on demand up to its limit.
 */
import { createHash } from 'node:crypto'
import { Account, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk'
import { BASE_FEE } from '../../stellar/index.js'
import { TX_VALIDITY_SECONDS } from '../constants.js'
import { ChannelsExhaustedError, ChannelAccountMissingError, UnknownChannelError } from '../errors.js'
import type { StellarWallet } from './wallet.js'
import type { PaymentBooks } from '../books/index.js'
import type { AbortOptions, Logger } from '@libp2p/interface'

/** 2 XLM: the 1 XLM reserve plus fees for 100,000 settlements */
export const CHANNEL_STARTING_BALANCE = 20_000_000n

export interface ChannelPoolInit {
  /** The node's Stellar seed */
  seed: Uint8Array
  /** Most channel accounts to create */
  max: number
  books: PaymentBooks
  wallet: StellarWallet
  log: Logger
}

export interface ChannelLease {
  channel: string
  /** The sequence number the tab's transaction is to use */
  sequence: bigint
}

export class ChannelPool {
  private readonly seed: Uint8Array
  private readonly max: number
  private readonly books: PaymentBooks
  private readonly wallet: StellarWallet
  private readonly log: Logger
  private readonly keys = new Map<string, Keypair>()
  private readonly leased = new Set<string>()
  private creating?: Promise<void>

  constructor (init: ChannelPoolInit) {
    this.seed = init.seed
    this.max = init.max
    this.books = init.books
    this.wallet = init.wallet
    this.log = init.log

    for (const { index, address } of this.books.channels()) {
      this.keys.set(address, this.derive(index))
    }

    // tabs not yet settled keep their channels across restarts
    for (const tab of this.books.tabList(['open', 'submitting'])) {
      this.leased.add(tab.channel)
    }
  }

  get size (): number {
    return this.keys.size
  }

  get free (): number {
    return this.keys.size - this.leased.size
  }

  /**
   * Lease a free channel, creating one when none is free and the pool may
   * grow; throws ChannelsExhaustedError when every channel is leased
   */
  async lease (options: AbortOptions = {}): Promise<ChannelLease> {
    let channel = this.firstFree()

    while (channel == null && this.keys.size < this.max) {
      await this.createOne(options)
      channel = this.firstFree()
    }

    if (channel == null) {
      throw new ChannelsExhaustedError(this.max)
    }

    this.leased.add(channel)
    void this.keepSpare().catch(err => { this.log.error('could not create a spare channel account - %e', err) })

    try {
      return { channel, sequence: await this.nextSequence(channel, options) }
    } catch (err) {
      this.leased.delete(channel)
      throw err
    }
  }

  /**
   * Have a free channel ready, so that a new payer's first bill does not
   * wait for an account to be created and a ledger to close; done after
   * each lease, and before the first when metering sees a bill coming, so a
   * node that never bills anyone holds no channel
   */
  async keepSpare (options: AbortOptions = {}): Promise<void> {
    if (this.firstFree() == null && this.keys.size < this.max) {
      await this.createOne(options)
    }
  }

  /** One account creation at a time: a caller arriving meanwhile waits for the running one */
  private async createOne (options: AbortOptions): Promise<void> {
    this.creating ??= this.create(options).finally(() => { this.creating = undefined })
    await this.creating
  }

  release (channel: string): void {
    this.leased.delete(channel)
  }

  /** The channel's signature, added only when its tab is submitted */
  keypair (channel: string): Keypair {
    const key = this.keys.get(channel)

    if (key == null) {
      throw new UnknownChannelError(channel)
    }

    return key
  }

  /**
   * Use up a sequence number whose transaction was refused before it could
   * consume it, so that later tabs on the channel can land
   */
  async retire (channel: string, sequence: bigint, options: AbortOptions = {}): Promise<void> {
    const current = await this.wallet.sequence(channel, options)

    if (current == null || current >= sequence) {
      return
    }

    const tx = new TransactionBuilder(new Account(channel, current.toString()), { fee: BASE_FEE.toString(), networkPassphrase: this.wallet.passphrase })
      .addOperation(Operation.bumpSequence({ bumpTo: sequence.toString() }))
      .setTimeout(TX_VALIDITY_SECONDS)
      .build()
    tx.sign(this.keypair(channel))
    await this.wallet.submit(tx, `retiring sequence ${sequence} of channel ${channel}`, options)
  }

  /**
   * The next unused sequence number: past the ledger's and every tab's the
   * books hold for this channel (a refused tab's number is retired first)
   */
  private async nextSequence (channel: string, options: AbortOptions): Promise<bigint> {
    const onLedger = await this.wallet.sequence(channel, options)

    if (onLedger == null) {
      throw new ChannelAccountMissingError(channel)
    }

    let highest = onLedger

    for (const tab of this.books.tabList()) {
      if (tab.channel === channel && tab.sequence > highest) {
        highest = tab.sequence
      }
    }

    if (highest > onLedger) {
      await this.retire(channel, highest, options)
    }

    return highest + 1n
  }

  private firstFree (): string | undefined {
    return [...this.keys.keys()].find(channel => !this.leased.has(channel))
  }

  private async create (options: AbortOptions): Promise<void> {
    const index = this.keys.size
    const key = this.derive(index)

    // a crash after the account was made but before the books knew of it leaves it on the ledger: reuse it
    if (await this.wallet.sequence(key.publicKey(), options) == null) {
      await this.wallet.createAccount(key.publicKey(), CHANNEL_STARTING_BALANCE, options)
    }

    await this.books.commit({ channel: { index, address: key.publicKey() } })
    this.keys.set(key.publicKey(), key)
    this.log('created channel account %d %s', index, key.publicKey())
  }

  private derive (index: number): Keypair {
    return deriveChannelKeypair(this.seed, index)
  }
}

/** The key of a node's channel account number `index`: the same from the same Stellar seed, on any machine */
export function deriveChannelKeypair (seed: Uint8Array, index: number): Keypair {
  return Keypair.fromRawEd25519Seed(createHash('sha256').update(seed).update(`torplus channel ${index}`).digest())
}
