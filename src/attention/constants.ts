/** Seconds one attention report may add: the extension reports as the time passes */
export const MAX_REPORT_SECONDS = 600

/** Seconds one site is credited in one day at most */
export const MAX_SECONDS_PER_DAY = 86_400

/** Sites one day records at most: reports past it are refused, not evicting the rest */
export const MAX_SITES_PER_DAY = 1_000

/** Days of attention kept */
export const DEFAULT_KEEP_DAYS = 90

/** Milliseconds between rounds of paying site owners for attention, when that is on */
export const DEFAULT_PAY_INTERVAL = 600_000

/** Sites paid in one round at most, most due first: the rest wait for the next */
export const MAX_PAYMENTS_PER_ROUND = 16

/** Milliseconds finding one site's owner and paying it may take */
export const PAYMENT_TIMEOUT = 180_000
