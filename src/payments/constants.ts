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
