/** A published site's tunnel: SiteOpen, SiteOpened, then the site's bytes */
export const SITE_PROTOCOL = '/torplus/site/1.0.0'

/** Bytes of a SiteOpen or SiteOpened message at most */
export const MAX_OPEN_MESSAGE_SIZE = 1024

/** Milliseconds the opener has to name the site, and the publisher to answer */
export const OPEN_TIMEOUT = 30_000

/** Milliseconds the publisher waits for its site's server to accept a connection */
export const SITE_CONNECT_TIMEOUT = 10_000

/** Tunnels one peer may have open to our sites at once */
export const MAX_TUNNELS_PER_PEER = 32

/** Tunnels open to our sites at once, all peers together */
export const MAX_TUNNELS = 1024

/** Addresses of sites' nodes whose peer we remember, to reuse its connection */
export const MAX_KNOWN_ADDRESSES = 1024

/** Sites one node publishes at most */
export const MAX_SITES = 64

/** Milliseconds a tunnel may carry nothing before it is closed */
export const TUNNEL_IDLE_TIMEOUT = 120_000

/** Index files a directory site serves for a directory */
export const INDEX_FILES = ['index.html', 'index.htm']

/** The port of the node's onion that serves its first site over plain HTTP, as Tor Browser asks for it */
export const PLAIN_ONION_PORT = 80

/** Plain onion visitors' connections open at once, all together */
export const MAX_PLAIN_CONNECTIONS = 64

/** Milliseconds a plain onion visitor's bytes may wait for the free allowance before its connection is closed */
export const MAX_ALLOWANCE_WAIT = 30_000

/** Bytes of the free allowance a plain onion visitor needs there to be let in */
export const MIN_PLAIN_VISIT = 16 * 1024

/**
 * The header on the proxy's own error answers, with the failure's code
 * (`ERR_NAME_NOT_FOUND`): the browser extension shows what it means rather
 * than the plain-text answer
 */
export const ERROR_HEADER = 'x-torplus-error'
