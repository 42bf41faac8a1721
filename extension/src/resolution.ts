/**
 * Which top-level navigations wait for the node to resolve their name. No
 * request to a TorPlus host leaves before that (blocking.ts blocks them):
 * a name resolved in the last RESOLVED_LIFETIME goes straight through, any
 * other goes through the resolving page. sites.torplus.com is special: its
 * keyword is in the fragment, which no request carries, so the node must be
 * told which site the host stands for right before each page of it is
 * requested; a tab remembers its site, so that the site's own links (no
 * fragment) stay on it. Pure: the state is plain data kept in session
 * storage.
 */
import { routeName, SITES_HOST } from '../../src/names/route.js'

/** Milliseconds a resolved name goes straight through */
export const RESOLVED_LIFETIME = 600_000

/** Names, and tabs, kept at most */
const MAX_ENTRIES = 256

export interface NavigationState {
  /** TorPlus names resolved lately (not sites.torplus.com), and until when they go straight through */
  names: Record<string, number>
  /** The site sites.torplus.com stands for in each tab (by tab id) */
  tabSites: Record<string, string>
  /** Tabs whose next top-level request to sites.torplus.com goes through: the node was just told its site */
  allowed: number[]
}

export const EMPTY_STATE: NavigationState = { names: {}, tabSites: {}, allowed: [] }

/**
 * Whether a top-level navigation to `url` in tab `tabId` waits: undefined
 * when it goes straight through; else the name the node is to resolve first,
 * and whether sites.torplus.com is to stand for it (`alias`); a
 * sites.torplus.com page with no site known goes on as it is once let through
 */
export function waitsFor (url: string, tabId: number, state: NavigationState, now: number): { name?: string, alias: boolean } | undefined {
  const host = hostOf(url)

  if (host == null) {
    return undefined
  }

  const route = routeName(url)

  if (host === SITES_HOST) {
    return state.allowed.includes(tabId) ? undefined : { name: route.kind === 'ens' ? route.name : state.tabSites[String(tabId)], alias: true }
  }

  if (route.kind === 'direct') {
    return undefined
  }

  return (state.names[route.name] ?? 0) > now ? undefined : { name: route.name, alias: false }
}

/** The state once the node resolved what `url` in tab `tabId` waited for (`name`, when there was one) */
export function afterResolving (url: string, tabId: number, name: string | undefined, state: NavigationState, now: number): NavigationState {
  if (isSitesHost(url)) {
    const tabSites = name == null ? state.tabSites : bounded({ ...state.tabSites, [String(tabId)]: name })
    return { ...state, tabSites, allowed: [...state.allowed.filter(tab => tab !== tabId), tabId].slice(-MAX_ENTRIES) }
  }

  if (name == null) {
    return state
  }

  const names = Object.fromEntries(Object.entries({ ...state.names, [name]: now + RESOLVED_LIFETIME }).filter(([, until]) => until > now))
  return { ...state, names: bounded(names) }
}

/** The state once tab `tabId` loaded a page, or closed: its pass through is used up */
export function afterCommit (tabId: number, state: NavigationState, closed = false): NavigationState {
  const tabSites = { ...state.tabSites }

  if (closed) {
    delete tabSites[String(tabId)] // eslint-disable-line @typescript-eslint/no-dynamic-delete
  }

  return { ...state, tabSites, allowed: state.allowed.filter(tab => tab !== tabId) }
}

/** Whether `url` is a page of sites.torplus.com: the host a tab's site is told the node for */
export function isSitesHost (url: string): boolean {
  return hostOf(url) === SITES_HOST
}

/** The host of an http(s) URL, lower-cased, without a trailing dot */
function hostOf (url: string): string | undefined {
  if (!/^https?:/i.test(url)) {
    return undefined
  }

  try {
    return new URL(url).hostname.toLowerCase().replace(/\.$/, '')
  } catch {
    return undefined
  }
}

function bounded <T> (record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).slice(-MAX_ENTRIES))
}
