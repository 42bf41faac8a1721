/**
 * Route sessions, like tor's circuit ids: per link, the id the upstream peer
 * names the session by, and where it leads (the next peer and its id for
 * it, or here, the payee). Kept in memory, each for SESSION_LIFETIME after
 * its last use, at most MAX_SESSIONS_PER_PEER per upstream peer and
 * MAX_SESSIONS in all (the oldest go first): a session is cheap to open
 * again, and a peer that opens thousands pushes out its own.
 */
import { randomBytes } from 'node:crypto'
import { MAX_SESSIONS, MAX_SESSIONS_PER_PEER, SESSION_LIFETIME } from './constants.js'

export interface RouteSession {
  /** Hex id the upstream peer uses */
  id: string
  upstream: string
  /** Absent at the payee */
  downstream?: { peer: string, session: string }
  usedAt: number
}

export class RouteSessions {
  private readonly sessions = new Map<string, RouteSession>()
  /** Ephemeral keys of onions seen, until the onion's expiry */
  private readonly seen = new Map<string, number>()

  open (upstream: string, downstream?: RouteSession['downstream']): RouteSession {
    const session = { id: randomBytes(16).toString('hex'), upstream, downstream, usedAt: Date.now() }
    const own = [...this.sessions.values()].filter(other => other.upstream === upstream)

    // a peer that opens many pushes out its own oldest first, not others'
    if (own.length >= MAX_SESSIONS_PER_PEER) {
      this.sessions.delete(key(upstream, own[0].id))
    }

    this.sessions.set(key(upstream, session.id), session)

    if (this.sessions.size > MAX_SESSIONS) {
      this.sessions.delete(this.sessions.keys().next().value as string)
    }

    return session
  }

  /** The session `upstream` calls `id`, refreshed; undefined when unknown or stale */
  use (upstream: string, id: string): RouteSession | undefined {
    const found = this.sessions.get(key(upstream, id))

    if (found == null || Date.now() - found.usedAt > SESSION_LIFETIME) {
      return undefined
    }

    // most recently used last, so the oldest go first
    this.sessions.delete(key(upstream, id))
    found.usedAt = Date.now()
    this.sessions.set(key(upstream, id), found)
    return found
  }

  /** Whether an onion with this ephemeral key was seen (and remember it until `expiry`) */
  replayed (ephemeral: string, expiry: number): boolean {
    const now = Date.now()

    if (this.seen.has(ephemeral)) {
      return true
    }

    if (this.seen.size >= MAX_SESSIONS) {
      for (const [seen, until] of this.seen) {
        if (until < now) {
          this.seen.delete(seen)
        }
      }
    }

    // full of live onions: forget the oldest (a replay of it opens one more session, no more) rather than refuse everyone
    if (this.seen.size >= MAX_SESSIONS) {
      this.seen.delete(this.seen.keys().next().value as string)
    }

    this.seen.set(ephemeral, expiry)
    return false
  }
}

function key (upstream: string, id: string): string {
  return `${upstream}/${id}`
}
