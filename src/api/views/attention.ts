import { fromStroops } from '../../stellar/index.js'
import type { AttentionPayment, AttentionRecorded, SiteAttention, SiteDue } from '../../attention/index.js'

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
  /** With Payments.AttentionPricePerMinute: what each site's owner is owed for attention in all, and was paid, in the asset */
  Owed: Array<{ Site: string, Owed: string, Paid: string }>
}

/** A round of paying site owners for attention */
export interface AttentionPaymentsView {
  Payments: Array<{ Site: string, Offered: string, Paid: string, Peer?: string, Error?: string }>
}

export function attentionView (recorded: AttentionRecorded): AttentionView {
  return { Site: recorded.site, Day: recorded.day, Seconds: recorded.seconds }
}

export function attentionReportView (sites: SiteAttention[], owed: SiteDue[]): AttentionReportView {
  return {
    Sites: sites.map(site => ({ Site: site.site, Seconds: site.seconds, Days: site.days.map(day => ({ Day: day.day, Seconds: day.seconds })) })),
    Owed: owed.map(due => ({ Site: due.site, Owed: fromStroops(due.owed), Paid: fromStroops(due.paid) }))
  }
}

export function attentionPaymentsView (payments: AttentionPayment[]): AttentionPaymentsView {
  return {
    Payments: payments.map(payment => ({ Site: payment.site, Offered: fromStroops(payment.offered), Paid: fromStroops(payment.paid), Peer: payment.peer, Error: payment.error }))
  }
}
