/** Relays of the private tor network besides its authorities */
export const DEFAULT_RELAYS = 3

/** Milliseconds to wait for a consensus that lists every relay */
export const DEFAULT_CONSENSUS_TIMEOUT = 90_000

/** Milliseconds for one devnet daemon to bootstrap its tor and publish its onion */
export const DEFAULT_NODE_TIMEOUT = 180_000
