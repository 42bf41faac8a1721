/** The payment protocol between a payer and a payee */
export const PAYMENT_PROTOCOL = '/torplus/payment/1.0.0'

/**
 * The longest a payment request may stay valid, in ms: its nonce is kept
 * until then, so a request valid for years would be kept for years
 */
export const MAX_REQUEST_LIFETIME = 600_000

/** Versions of a tab a payer remembers, to know which one landed */
export const MAX_TAB_VERSIONS = 32

/**
 * Payment requests a payer answers per peer and second, on average over
 * RATE_WINDOW; a payee bills at most a few times a second at full speed
 * (one bill per PaymentThreshold)
 */
export const PAYMENT_STREAMS_PER_SECOND = 10

/** Seconds over which the payment request rate is averaged */
export const RATE_WINDOW = 3

/** Milliseconds a payer's standing on the ledger is trusted before it is read again */
export const FUNDING_MAX_AGE = 5_000

/** Milliseconds between sweeps of the books for expired nonces, old history and idle peers */
export const PRUNE_INTERVAL = 3_600_000

/** Milliseconds one Horizon request may take */
export const DEFAULT_HORIZON_TIMEOUT = 30_000

/** Payments listed by a history request when it does not say */
export const DEFAULT_HISTORY_LIMIT = 50

/** Payments listed by one history request at most (Horizon's page limit) */
export const MAX_HISTORY_LIMIT = 200

/** Milliseconds the last settlement may take on the way out */
export const DEFAULT_SHUTDOWN_SETTLE_TIMEOUT = 30_000

/** Milliseconds a read of an account's standing on the ledger is reused */
export const DEFAULT_ACCOUNT_READ_MAX_AGE = 5_000

/** Seconds a transaction the node submits itself stays valid (its time bounds) */
export const TX_VALIDITY_SECONDS = 60

/** Milliseconds between looks at what arrived while a bill waits for the bytes it names */
export const ARRIVAL_POLL_INTERVAL = 50

/** Bounds of the interval between looks for tabs due to settle, in ms */
export const MIN_SETTLE_CHECK_INTERVAL = 1_000
export const MAX_SETTLE_CHECK_INTERVAL = 60_000

/** Milliseconds between announcements of our relay in the DHT */
export const RELAY_ANNOUNCE_INTERVAL = 6 * 3_600_000

/**
 * Milliseconds to the second announcement, each next one twice as far up to
 * the interval: one made as the node starts can reach no DHT peer yet, and
 * a provide does not say how many peers took the record
 */
export const RELAY_ANNOUNCE_FIRST_REPEAT = 60_000

/**
 * Milliseconds between looks at the relays a client knows: a DHT lookup when
 * the last is stale (or found too few for a route), terms read again when
 * they lapse; cached otherwise, so a look costs nothing
 */
export const RELAY_REFRESH_INTERVAL = 20_000

/** Milliseconds one announcement may take */
export const RELAY_ANNOUNCE_TIMEOUT = 120_000

/** Characters of a site's name an attention offer carries (a DNS name's most) */
export const MAX_SITE_NAME_LENGTH = 253

/**
 * Offers of attention money a payee bills at once: each holds a channel
 * while its payer answers, and an offer costs its sender nothing, so a
 * flood of them must not hold the channels bytes are billed on
 */
export const MAX_ATTENTION_BILLS = 2

/**
 * Stroops an offer of attention money is at least: a payer's first payment
 * costs its payee a ledger transaction (100 stroops) to settle, so smaller
 * sums wait until they add up
 */
export const MIN_ATTENTION_OFFER = 10_000n

/**
 * Stroops an offer of attention money is at most (100 of the asset): a
 * viewer pays more in several, and a payee never writes a request for an
 * amount no payer could sign
 */
export const MAX_ATTENTION_OFFER = 1_000_000_000n
