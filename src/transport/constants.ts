/**
 * Timeouts for onion links, from what a private tor network on this kind of
 * machine measured (../shared/TOR-DEVNET.md): a new rendezvous circuit takes
 * 0.25-0.7 s there and several seconds on the public network, a descriptor
 * upload about 2 s there and up to a minute on the public network
 */

/** Milliseconds for a dial: SOCKS handshake plus circuit building */
export const DEFAULT_DIAL_TIMEOUT = 60_000

/** Milliseconds to wait for our descriptor to be uploaded before announcing */
export const DEFAULT_DESCRIPTOR_TIMEOUT = 60_000

/** Milliseconds without traffic before a connection is closed */
export const DEFAULT_INACTIVITY_TIMEOUT = 5 * 60_000
