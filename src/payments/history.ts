/**
 * The payment history summed in time buckets: requests and payments per
 * bucket, what a browser extension charts against each other
 */
import type { PaymentEvent } from './books/index.js'

export interface HistoryBucket {
  /** Start of the bucket, ms since 1970 */
  start: number
  requestsSent: number
  /** Stroops asked for by the requests we sent */
  billed: bigint
  paymentsReceived: number
  received: bigint
  paymentsSent: number
  paid: bigint
  /** Requests and payments refused or rejected, either way */
  rejected: number
}

/** Events summed per bucket of `size` ms from `from`, oldest first; only `peer`'s when given */
export async function historyBuckets (events: AsyncIterable<PaymentEvent>, from: number, size: number, peer?: string): Promise<HistoryBucket[]> {
  const sums = new Map<number, HistoryBucket>()

  for await (const event of events) {
    if (peer != null && event.peer !== peer) {
      continue
    }

    const start = from + Math.floor((event.time - from) / size) * size
    const sum = sums.get(start) ?? { start, requestsSent: 0, billed: 0n, paymentsReceived: 0, received: 0n, paymentsSent: 0, paid: 0n, rejected: 0 }
    sums.set(start, sum)

    switch (event.kind) {
      case 'request-sent': sum.requestsSent++; sum.billed += event.amount; break
      case 'payment-received': sum.paymentsReceived++; sum.received += event.amount; break
      case 'payment-sent': sum.paymentsSent++; sum.paid += event.amount; break
      case 'request-refused': case 'request-rejected': case 'payment-refused': sum.rejected++; break
      default: break
    }
  }

  return [...sums.values()].sort((a, b) => a.start - b.start)
}
