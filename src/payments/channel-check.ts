/**
 * Whether a new tab a payee proposes could ever land: its channel account
 * exists, and its sequence number is one of the channel's next few. A
 * promise on a channel that does not exist, or at a far-future sequence,
 * would hold our balance forever (it never lands, so it is never released)
 * and cost a ledger read at every refresh. Each channel is read at most
 * once per `maxAge`, before the payer's decision lock is taken.
 */
import { DEFAULT_ACCOUNT_READ_MAX_AGE } from './constants.js'
import type { StellarWallet } from './stellar/wallet.js'
import type { AbortOptions } from '@libp2p/interface'

/** How far past a channel's sequence number a new tab may start: the payee retires unused numbers first */
export const MAX_SEQUENCE_GAP = 4n

/** Channels remembered; the least recently read go first */
const MAX_CHANNELS = 1024

/**
 * Milliseconds after which a channel that looks wrong is read again: the
 * payee may have just retired unused numbers on it
 */
const MIN_REREAD = 1000

export interface ChannelCheckInit {
  wallet: Pick<StellarWallet, 'sequence'>

  /**
   * Milliseconds a channel's sequence number stays good
   *
   * @default 5000
   */
  maxAge?: number
}

export class ChannelCheck {
  private readonly wallet: ChannelCheckInit['wallet']
  private readonly maxAge: number
  private readonly channels = new Map<string, { sequence: bigint | null, at: number }>()

  constructor (init: ChannelCheckInit) {
    this.wallet = init.wallet
    this.maxAge = init.maxAge ?? DEFAULT_ACCOUNT_READ_MAX_AGE
  }

  /** Why a tab at `sequence` on `channel` can never land, or undefined */
  async problem (channel: string, sequence: bigint, options: AbortOptions = {}): Promise<string | undefined> {
    const cached = this.channels.get(channel)
    const age = cached == null ? Infinity : Date.now() - cached.at

    if (age > this.maxAge || (age > MIN_REREAD && judge(channel, sequence, cached?.sequence ?? null) != null)) {
      await this.read(channel, options)
    }

    return judge(channel, sequence, this.channels.get(channel)?.sequence ?? null)
  }

  private async read (channel: string, options: AbortOptions): Promise<void> {
    const entry = { sequence: await this.wallet.sequence(channel, options), at: Date.now() }
    this.channels.delete(channel)
    this.channels.set(channel, entry)

    if (this.channels.size > MAX_CHANNELS) {
      this.channels.delete(this.channels.keys().next().value as string)
    }
  }
}

/** Why a tab at `sequence` cannot land on a channel whose sequence is `current` (null: no such account) */
function judge (channel: string, sequence: bigint, current: bigint | null): string | undefined {
  if (current == null) {
    return `channel account ${channel} does not exist`
  }

  if (sequence <= current) {
    return `channel ${channel} has used sequence ${sequence} already`
  }

  if (sequence > current + MAX_SEQUENCE_GAP) {
    return `sequence ${sequence} is far past channel ${channel}'s ${current}: it could not land for a long time`
  }
}
