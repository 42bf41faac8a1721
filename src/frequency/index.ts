/**
 * @packageDocumentation
 *
 * What the network wants: the popularity tracker counts, per content root,
 * the distinct remote peers that asked for it (bitswap wants and DHT
 * GET_PROVIDERS requests, read by the bitswap traffic meter and the DHT
 * message limit through their observer ports) and, apart, the node's own
 * gateway and RPC requests, in a count-min sketch and a top-K that decay
 * and survive restarts. `/torplus/popular/1.0.0` trades the most requested
 * items (remote demand only, with enough requesters) between peers.
 *
 * @example
 *
 * ```ts
 * import { frequencyTracker } from 'torplus/frequency'
 * import { bitswapTrafficMeter } from 'torplus/bitswap'
 *
 * const libp2p = await createLibp2p({
 *   services: {
 *     frequency: frequencyTracker({ path: '/var/lib/node/frequency' }),
 *     bitswapTraffic: bitswapTrafficMeter({ observeWants: true })
 *   }
 * })
 *
 * libp2p.services.frequency.top({ limit: 20 })
 * ```
 */
export * from './constants.js'
export * from './errors.js'
export { frequencyTracker, FrequencyTracker, readTop, SOURCE_BITSWAP, SOURCE_DHT, SOURCE_LOCAL } from './tracker.js'
export type { BlockSource, FrequencyTrackerComponents, FrequencyTrackerInit, PayerCheck, PopularItem, TopOptions } from './tracker.js'
export { SNAPSHOT_FILE } from './snapshot.js'
export { blockKey } from './multihash.js'
export { popularList, PopularListService, roundDown } from './popular.js'
export type { AskOptions, PopularList, PopularListComponents, PopularListEntry, PopularListInit } from './popular.js'
export * from './fill/index.js'
