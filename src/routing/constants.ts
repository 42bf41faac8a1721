/**
 * TorPlus's own DHT protocol id: a node in loopback development mode, or one
 * misconfigured onto clearnet, can never join the public IPFS DHT and hand it
 * our peers' records
 */
export const DHT_PROTOCOL = '/torplus/kad/1.0.0'

/** How long the DHT keeps a provider record, in ms (kad-dht's default) */
export const PROVIDER_RECORD_VALIDITY = 48 * 3_600_000

/** Below this many open connections, the bootstrap peers are dialled */
export const DEFAULT_BOOTSTRAP_MIN_CONNECTIONS = 4

/** Milliseconds between checks of the connection count */
export const DEFAULT_BOOTSTRAP_INTERVAL = 30_000

/** Milliseconds for one dial of a bootstrap peer */
export const DEFAULT_BOOTSTRAP_DIAL_TIMEOUT = 60_000

/** Milliseconds one background provide may take */
export const DEFAULT_PROVIDE_TIMEOUT = 120_000

/** Background provides running at once */
export const DEFAULT_PROVIDE_CONCURRENCY = 2

/** Background provides waiting at most */
export const DEFAULT_PROVIDE_MAX_QUEUED = 1024

/** Largest DHT message accepted, in bytes: a reply of 20 peers with a few addresses each is under 10 KiB */
export const DEFAULT_MAX_DHT_MESSAGE_SIZE = 256 * 1024

/** Milliseconds to answer, or wait for the answer to, one DHT message */
export const DEFAULT_DHT_MESSAGE_TIMEOUT = 30_000

/** Milliseconds between announcements of our own provider records (22 h, as Kubo) */
export const DEFAULT_REPROVIDE_INTERVAL = 22 * 3_600_000
