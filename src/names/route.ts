/**
 * Which names are TorPlus names, and how each is looked up: the routing
 * rules of the original extension, as one pure function the node's proxy,
 * its resolver API and the browser extension share. No Node.js API here:
 * the extension bundles this file as it is.
 *
 * `http://sites.torplus.com/#<keyword>` goes to ENS as
 * `<keyword>.torplus.eth`; a host ending in `.eth` to ENS as it is; a host
 * with a `torplus` label before a domain (`torplus.example.com`,
 * `blog.torplus.example.org`) to the TXT records of that host, except
 * www.torplus.com (the project's own web site) and sites.torplus.com
 * without a keyword; anything else (`.onion` included) as it is.
 */

/** The host whose URL fragment names an ENS site */
export const SITES_HOST = 'sites.torplus.com'

/** The project's own web site: never a TorPlus name */
export const WEB_HOST = 'www.torplus.com'

/** Where ENS sites live: `<keyword>.torplus.eth` */
export const ENS_PARENT = 'torplus.eth'

/** The longest DNS name */
export const MAX_NAME_LENGTH = 253

/** Letters, digits and inner hyphens: a DNS label as a host may carry it (punycode included) */
export const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/

/** The one label that makes a host with a domain after it a DNS TXT name */
export const TORPLUS_LABEL = 'torplus'

export type NameRoute =
  /** Look up the ENS name's `torplus` text record (or its onion3 contenthash) */
  | { kind: 'ens', name: string }
  /** Look up the host's TXT records for `torplus=<onion>` */
  | { kind: 'dns', name: string }
  /** Not a TorPlus name: go to the host as it is */
  | { kind: 'direct', host: string }

/**
 * How to reach `target`: a URL (`http://sites.torplus.com/#video`), or a
 * bare host (`torplus.example.com`, `video.torplus.eth`). Whatever cannot be
 * read as either is `direct`, with the host as given, lower-cased: the
 * caller refuses it if it cannot reach it
 */
export function routeName (target: string): NameRoute {
  const { host, fragment } = split(target)

  if (host === SITES_HOST) {
    const keyword = fragment == null ? undefined : normaliseKeyword(fragment)
    return keyword == null ? { kind: 'direct', host } : { kind: 'ens', name: `${keyword}.${ENS_PARENT}` }
  }

  if (!isHostName(host)) {
    return { kind: 'direct', host }
  }

  const labels = host.split('.')

  if (labels.length >= 2 && labels[labels.length - 1] === 'eth') {
    return { kind: 'ens', name: host }
  }

  // a `torplus` label with at least a domain and a top-level label after it
  if (host !== WEB_HOST && labels.slice(0, -2).includes(TORPLUS_LABEL)) {
    return { kind: 'dns', name: host }
  }

  return { kind: 'direct', host }
}

/** Whether `host` is a name `routeName` sends to a lookup */
export function isTorPlusName (target: string): boolean {
  return routeName(target).kind !== 'direct'
}

/** A host and a fragment, from a URL or a bare host (with or without a port) */
function split (target: string): { host: string, fragment?: string } {
  const trimmed = target.trim()

  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      const url = new URL(trimmed)
      return { host: stripDot(url.hostname.toLowerCase()), fragment: url.hash.length > 1 ? url.hash.slice(1) : undefined }
    } catch {
      return { host: trimmed.toLowerCase() }
    }
  }

  const hash = trimmed.indexOf('#')
  const hostPart = (hash === -1 ? trimmed : trimmed.slice(0, hash)).toLowerCase()
  const fragment = hash === -1 ? undefined : trimmed.slice(hash + 1)
  // a port after the last colon, unless the host is an IPv6 literal
  const host = /^[^:]+:\d+$/.test(hostPart) ? hostPart.slice(0, hostPart.lastIndexOf(':')) : hostPart
  return { host: stripDot(host), fragment: fragment === '' ? undefined : fragment }
}

/** `example.com.` is `example.com` */
function stripDot (host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host
}

function isHostName (host: string): boolean {
  return host.length > 0 && host.length <= MAX_NAME_LENGTH && host.split('.').every(label => LABEL.test(label))
}

/**
 * The keyword of `sites.torplus.com/#<keyword>`, lower-cased, as one or more
 * DNS labels; undefined when it is not that (a path, a query, spaces)
 */
function normaliseKeyword (fragment: string): string | undefined {
  let keyword: string

  try {
    keyword = decodeURIComponent(fragment).trim().toLowerCase()
  } catch {
    return undefined
  }

  if (keyword.endsWith('.')) {
    keyword = keyword.slice(0, -1)
  }

  if (keyword.endsWith(`.${ENS_PARENT}`)) {
    keyword = keyword.slice(0, -ENS_PARENT.length - 1)
  }

  return isHostName(keyword) && keyword.length + ENS_PARENT.length + 1 <= MAX_NAME_LENGTH ? keyword : undefined
}
