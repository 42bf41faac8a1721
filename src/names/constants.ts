/** DNS-over-HTTPS servers asked for TXT records, in order */
export const DEFAULT_DNS_SERVERS = ['https://dns.quad9.net/dns-query']

/** The Ethereum JSON-RPC endpoint ENS names are read through */
export const DEFAULT_ETH_RPC = 'https://ethereum-rpc.publicnode.com'

/** The ENS registry on Ethereum mainnet (the same address on its test networks) */
export const DEFAULT_ENS_REGISTRY = '0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e'

/** Milliseconds one lookup may take, all servers together (each exchange builds a tor circuit) */
export const DEFAULT_LOOKUP_TIMEOUT = 30_000

/** Seconds a found name is kept at least, whatever its TTL says */
export const MIN_TTL = 30

/** Seconds a found name is kept at most */
export const MAX_TTL = 3600

/** Seconds an ENS answer is kept: ENS records carry no TTL */
export const ENS_TTL = 300

/** Seconds a name found to have no onion is remembered */
export const NEGATIVE_TTL = 60

/** Names whose answers are kept at most */
export const MAX_CACHED_NAMES = 4096

/** Lookups in flight at most, all names together */
export const MAX_LOOKUPS_IN_FLIGHT = 64

/** Milliseconds a host stands for the name the extension said it opened (`alias`) */
export const ALIAS_LIFETIME = 10 * 60_000

/** Hosts standing for names at most */
export const MAX_ALIASES = 256
