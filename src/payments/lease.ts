import type { Settler } from './settler.js'
import type { ChannelLease, ChannelPool } from './stellar/channels.js'
import type { AbortOptions } from '@libp2p/interface'

/** Times to settle the oldest tab for a channel before giving up */
const MAX_LEASE_ATTEMPTS = 8

/**
 * A free channel for a new tab; when all are leased, settle the oldest tab
 * to free one. Other payers may be after the same channel, so this tries a
 * few times.
 */
export async function leaseChannel (channels: ChannelPool, settler: Settler, options: AbortOptions = {}): Promise<ChannelLease> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await channels.lease(options)
    } catch (err: any) {
      if (err.name !== 'ChannelsExhaustedError' || attempt >= MAX_LEASE_ATTEMPTS) {
        throw err
      }
    }

    await settler.settleOldest(options)
  }
}
