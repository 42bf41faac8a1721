/** Where a relay serves its signed terms */
export const RELAY_PROTOCOL = '/torplus/relay/1.0.0'

/** Route sessions and the legs' hash-locked versions */
export const ROUTE_PROTOCOL = '/torplus/route/1.0.0'

/**
 * The key relays announce a provider record under: CID v1 raw of
 * sha256("/torplus/relay/1"), so that any node finds them with a plain
 * provider lookup
 */
export const RELAY_DHT_KEY = '/torplus/relay/1'

/** Milliseconds a route session lives after its last use, at a relay and at the payee */
export const SESSION_LIFETIME = 15 * 60_000

/** Milliseconds a client keeps using a route session */
export const CLIENT_SESSION_LIFETIME = 10 * 60_000

/** Milliseconds an onion stays valid: its ephemeral keys are remembered until then */
export const ONION_LIFETIME = 60_000

/** Route sessions a node keeps at most, all links together */
export const MAX_SESSIONS = 4096

/** Route sessions one upstream peer keeps open at most (a client keeps one per payee, a relay one per route through it) */
export const MAX_SESSIONS_PER_PEER = 256

/** Seconds a relay accepts a payment's expiry past now, at most */
export const MAX_EXPIRY = 3600

/** Milliseconds between attempts to pass a preimage upstream, until the unconditional version comes */
export const FULFIL_RETRY_INTERVAL = 2_000

/** Milliseconds between looks at the ledger for a lock of ours a downstream peer claimed there */
export const LEDGER_WATCH_INTERVAL = 5_000

/** Milliseconds one exchange on the route protocol may take */
export const DEFAULT_ROUTE_MESSAGE_TIMEOUT = 10_000

/** Defaults of `Payments.Relay` and `Payments.Routes` (stroops, millionths, seconds) */
export const DEFAULT_RELAY_FEE_BASE = 100n
export const DEFAULT_RELAY_FEE_PPM = 1000
export const DEFAULT_EXPIRY_DELTA = 40
export const DEFAULT_FINAL_DELTA = 20
export const DEFAULT_CLAIM_MARGIN = 15
export const DEFAULT_RELAY_MAX_PENDING = 10_000_000n
export const DEFAULT_ROUTE_HOPS = 3
export const DEFAULT_MAX_FEE_PPM = 20_000
