/** Relays of the private tor network besides its authorities */
export const DEFAULT_RELAYS = 3

/** Milliseconds to wait for a consensus that lists every relay */
export const DEFAULT_CONSENSUS_TIMEOUT = 90_000

/** Milliseconds for one devnet daemon to bootstrap its tor and publish its onion */
export const DEFAULT_NODE_TIMEOUT = 180_000

/** The DNS name `devnet up --sample` gives node1's sample site (a TXT record served by dnsmasq) */
export const SAMPLE_DNS_NAME = 'torplus.site.devnet.test'

/** The ENS name `devnet up --sample` gives node1's sample site (a text record on the devnet's chain) */
export const SAMPLE_ENS_NAME = 'site.torplus.eth'
