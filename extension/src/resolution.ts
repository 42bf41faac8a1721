/**
 * Which navigations wait for the node to resolve their name first. The
 * keyword of `sites.torplus.com/#<keyword>` never reaches the node (a
 * browser does not send the fragment), so the node must be told which site
 * the host stands for (setupResolving) before the request leaves; a
 * TorPlus name looked up first gives a page that says "no such site"
 * rather than the proxy's error. A name checked in the last
 * RESOLVED_LIFETIME goes straight through. Pure: the state is plain data
 * kept in session storage.
 */
import { routeName, SITES_HOST } from '../../src/names/route.js'

/** Milliseconds a resolved name goes straight through: the node keeps the sites.torplus.com alias as long */
export const RESOLVED_LIFETIME = 600_000

/** Names kept at most */
const MAX_NAMES = 256

export interface ResolvedNames {
  /** The site sites.torplus.com stands for at the node now */
  alias?: { name: string, until: number }
  /** Other TorPlus hosts resolved lately, and until when they go straight through */
  names: Record<string, number>
}

/** What the node is asked about a navigation to `url`: undefined when it goes straight through */
export function toResolve (url: string, known: ResolvedNames, now: number): { name: string, alias: boolean } | undefined {
  if (!/^https?:/i.test(url)) {
    return undefined
  }

  const route = routeName(url)

  if (route.kind === 'direct') {
    return undefined
  }

  if (new URL(url).hostname.toLowerCase() === SITES_HOST) {
    return known.alias?.name === route.name && known.alias.until > now ? undefined : { name: route.name, alias: true }
  }

  return (known.names[route.name] ?? 0) > now ? undefined : { name: route.name, alias: false }
}

/** The state once the node resolved `url`'s name */
export function resolved (url: string, known: ResolvedNames, now: number): ResolvedNames {
  const wanted = toResolve(url, { names: {} }, now)

  if (wanted == null) {
    return known
  }

  if (wanted.alias) {
    return { ...known, alias: { name: wanted.name, until: now + RESOLVED_LIFETIME } }
  }

  const names = Object.entries({ ...known.names, [wanted.name]: now + RESOLVED_LIFETIME })
    .filter(([, until]) => until > now)
    .slice(-MAX_NAMES)
  return { ...known, names: Object.fromEntries(names) }
}
