/** Milliseconds between ledger closes (the public network closes every 5 s) */
export const DEFAULT_CLOSE_INTERVAL = 1_000
