import type { AttentionRecorded, SiteAttention } from '../../attention/index.js'

/** What one attention report left recorded */
export interface AttentionView {
  /** The site's TorPlus name */
  Site: string
  /** The UTC day, YYYY-MM-DD */
  Day: string
  /** The site's seconds that day */
  Seconds: number
}

/** Attention per site over some days, most first */
export interface AttentionReportView {
  Sites: Array<{ Site: string, Seconds: number, Days: Array<{ Day: string, Seconds: number }> }>
}

export function attentionView (recorded: AttentionRecorded): AttentionView {
  return { Site: recorded.site, Day: recorded.day, Seconds: recorded.seconds }
}

export function attentionReportView (sites: SiteAttention[]): AttentionReportView {
  return {
    Sites: sites.map(site => ({ Site: site.site, Seconds: site.seconds, Days: site.days.map(day => ({ Day: day.day, Seconds: day.seconds })) }))
  }
}
