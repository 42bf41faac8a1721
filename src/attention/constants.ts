/** Seconds one attention report may add: the extension reports as the time passes */
export const MAX_REPORT_SECONDS = 600

/** Seconds one site is credited in one day at most */
export const MAX_SECONDS_PER_DAY = 86_400

/** Sites one day records at most: reports past it are refused, not evicting the rest */
export const MAX_SITES_PER_DAY = 1_000

/** Days of attention kept */
export const DEFAULT_KEEP_DAYS = 90
