/**
 * What was spent within the last budget period, sliding: a fixed period
 * that starts at the first payment let a payer spend its whole budget at
 * the end of one period and again at the start of the next. The period is
 * cut into buckets; a bucket that overlaps the window counts whole, so the
 * sum errs on the side of spending less.
 */

/** Buckets a period is cut into */
export const SPEND_BUCKETS = 24

export interface SpendBucket {
  /** Start of the bucket, ms since 1970 */
  start: number
  /** Stroops */
  amount: bigint
}

/** Stroops spent in the `period` ms before `now` */
export function spentWithin (buckets: SpendBucket[], now: number, period: number): bigint {
  const width = bucketWidth(period)
  return buckets.reduce((sum, bucket) => bucket.start + width > now - period ? sum + bucket.amount : sum, 0n)
}

/** The buckets with `amount` added now; those past the window are dropped */
export function spend (buckets: SpendBucket[], now: number, period: number, amount: bigint): SpendBucket[] {
  const width = bucketWidth(period)
  const start = now - (now % width)
  const kept = buckets.filter(bucket => bucket.start + width > now - period)
  const current = kept.find(bucket => bucket.start === start)

  if (current == null) {
    return [...kept, { start, amount }]
  }

  return kept.map(bucket => bucket === current ? { start, amount: bucket.amount + amount } : bucket)
}

function bucketWidth (period: number): number {
  return Math.max(1, Math.ceil(period / SPEND_BUCKETS))
}
