/**
 * Time spent on TorPlus sites: the site of the tab that is active in the
 * focused window, while it is visible, is timed; a switch to another tab,
 * window or app, or to a site that is not a TorPlus one, stops the clock.
 * Only TorPlus names are ever kept. Whole seconds are reported in batches
 * (`take`), at most MAX_REPORT_SECONDS a report as the node wants them; the
 * rest waits for the next batch. Pure: the time comes in from outside, and
 * the state is plain data the service worker keeps in session storage.
 */
import { routeName } from '../../src/names/route.js'

/** Seconds the node takes in one report */
export const MAX_REPORT_SECONDS = 600

/** Sites kept waiting for a report at most: past it the least watched are dropped */
const MAX_PENDING_SITES = 100

export interface AttentionState {
  /** The site being watched now, and since when (ms) */
  watching?: { site: string, since: number }
  /** Milliseconds per site not reported yet */
  pending: Record<string, number>
}

export interface AttentionReport {
  site: string
  seconds: number
}

/** The TorPlus site a URL is on, by the name the node keeps it under; undefined for any other */
export function siteOf (url: string | undefined): string | undefined {
  if (url == null || !/^https?:/i.test(url)) {
    return undefined
  }

  const route = routeName(url)
  return route.kind === 'direct' ? undefined : route.name
}

export class AttentionTracker {
  private readonly state: AttentionState

  constructor (state: AttentionState = { pending: {} }) {
    this.state = { watching: state.watching, pending: { ...state.pending } }
  }

  /** What to keep across a service worker's restarts */
  snapshot (): AttentionState {
    return { watching: this.state.watching, pending: { ...this.state.pending } }
  }

  /** What is in view changed at `now`: the URL of the active tab of the focused window, or nothing */
  view (url: string | undefined, now: number): void {
    const site = siteOf(url)
    const watching = this.state.watching

    if (watching?.site === site) {
      return
    }

    this.stop(now)

    if (site != null) {
      this.state.watching = { site, since: now }
    }
  }

  /** Take the whole seconds watched up to `now`, site by site, for a report */
  take (now: number): AttentionReport[] {
    const watching = this.state.watching

    if (watching != null) {
      this.add(watching.site, now - watching.since)
      this.state.watching = { site: watching.site, since: now }
    }

    const reports: AttentionReport[] = []

    for (const [site, ms] of Object.entries(this.state.pending)) {
      const seconds = Math.min(MAX_REPORT_SECONDS, Math.floor(ms / 1000))

      if (seconds >= 1) {
        reports.push({ site, seconds })
        this.state.pending[site] = ms - seconds * 1000
      }
    }

    return reports
  }

  /** A report the node did not take: its seconds wait for the next */
  putBack (report: AttentionReport): void {
    this.add(report.site, report.seconds * 1000)
  }

  private stop (now: number): void {
    const watching = this.state.watching

    if (watching != null) {
      this.add(watching.site, now - watching.since)
      this.state.watching = undefined
    }
  }

  private add (site: string, ms: number): void {
    // a clock that went back adds nothing
    this.state.pending[site] = (this.state.pending[site] ?? 0) + Math.max(0, ms)
    const sites = Object.entries(this.state.pending)

    if (sites.length > MAX_PENDING_SITES) {
      sites.sort((a, b) => a[1] - b[1]).slice(0, sites.length - MAX_PENDING_SITES).forEach(([dropped]) => { this.state.pending[dropped] = 0 })
      this.state.pending = Object.fromEntries(Object.entries(this.state.pending).filter(([, kept]) => kept > 0))
    }
  }
}
