/**
 * TorPlus's own DHT protocol id: a node in loopback development mode, or one
 * misconfigured onto clearnet, can never join the public IPFS DHT and hand it
 * our peers' records
 */
export const DHT_PROTOCOL = '/torplus/kad/1.0.0'

/** How long the DHT keeps a provider record, in ms (kad-dht's default) */
export const PROVIDER_RECORD_VALIDITY = 48 * 3_600_000
