/**
 * Timeouts for onion links, from what a private tor network on this kind of
 * machine measured (`npm run bench:onion` on the devnet): a new rendezvous circuit takes
 * 0.25-0.7 s there and several seconds on the public network, a descriptor
 * upload about 2 s there and up to a minute on the public network
 */

/** Milliseconds for a dial: SOCKS handshake plus circuit building */
export const DEFAULT_DIAL_TIMEOUT = 60_000

/** Milliseconds to wait for our descriptor to be uploaded before announcing */
export const DEFAULT_DESCRIPTOR_TIMEOUT = 60_000

/** Milliseconds without traffic before a connection is closed */
export const DEFAULT_INACTIVITY_TIMEOUT = 5 * 60_000

/** Peers lost this many milliseconds before tor was found gone count as lost with it */
export const DEFAULT_RECONNECT_GRACE = 10_000

/** Dials of each lost peer once tor is back */
export const DEFAULT_RECONNECT_ATTEMPTS = 5

/** Milliseconds between those dials */
export const DEFAULT_RECONNECT_RETRY_INTERVAL = 10_000

/** Disconnected peers remembered at most, to be dialled again once tor is back */
export const DEFAULT_RECONNECT_MAX_REMEMBERED = 256

/** Milliseconds tor may take to bootstrap */
export const DEFAULT_BOOTSTRAP_TIMEOUT = 120_000

/** Tries to reach an external tor's control port again after it was lost */
export const DEFAULT_EXTERNAL_RECONNECT_ATTEMPTS = 60

/** Milliseconds between those tries */
export const DEFAULT_EXTERNAL_RECONNECT_INTERVAL = 5_000
