/**
 * Helia's bitswap starts a provider search for every block it wants, at once,
 * even when a connected peer is about to send it. Over tor each search costs
 * circuits and dials, so, as Kubo does (ProviderSearchDelay), wait first: a
 * block that arrives meanwhile aborts the search before it starts.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Routing } from '@helia/interface'

export function delayProviderSearch (routing: Routing, ms: number): void {
  if (ms <= 0) {
    return
  }

  const findProviders = routing.findProviders.bind(routing)

  routing.findProviders = async function * (cid, options = {}) {
    await sleep(ms, undefined, { signal: options.signal })
    yield * findProviders(cid, options)
  }
}
