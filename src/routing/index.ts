/**
 * @packageDocumentation
 *
 * Content and peer routing over onion links: @libp2p/kad-dht under TorPlus's
 * own protocol id with onion-only peer records, bootstrap peers that are
 * dialled again while the node has few connections, background provides of
 * added and pinned roots, and Kubo-shaped query events for the RPC API.
 */
export { DHT_PROTOCOL, PROVIDER_RECORD_VALIDITY } from './constants.js'
export { torplusDHT } from './dht.js'
export type { TorPlusDHTInit } from './dht.js'
export { dhtBootstrap, DHTBootstrap } from './dht-bootstrap.js'
export type { DHTBootstrapInit, DHTBootstrapComponents } from './dht-bootstrap.js'
export { provideQueue, ProvideQueue } from './provide-queue.js'
export type { ProvideQueueInit, ProvideQueueComponents } from './provide-queue.js'
export { delayProviderSearch } from './provider-search-delay.js'
export { toKuboQueryEvent } from './query-events.js'
export type { KuboQueryEvent } from './query-events.js'
export { NotHeldError, PeerNotFoundError, RoutingDisabledError } from './errors.js'
export { dhtMessageLimit } from './message-limit.js'
export type { DHTMessageLimitInit, DHTMessageLimitComponents } from './message-limit.js'
export { observeLookups } from './lookup-scanner.js'
export type { ProviderLookupObserver } from './lookup-scanner.js'
