/**
 * The account's state as the popup names it: "paying" once the node paid
 * for what it fetched, "trial" while everything came within peers' free
 * allowances, "no funds" when the account cannot pay, and "payments off"
 * on a node that runs without them. Pure.
 */
import type { Balance, History, NodeStatus } from './node-api.js'

export type AccountState = 'paying' | 'trial' | 'no-funds' | 'payments-off'

export const ACCOUNT_STATE_LABELS: Record<AccountState, string> = {
  paying: 'Paying as you browse',
  trial: 'Trial: browsing within free allowances',
  'no-funds': 'No funds: add some to your account to keep browsing',
  'payments-off': 'Payments are off on your node'
}

export function accountState (status: NodeStatus, balance: Balance | undefined, history: History | undefined): AccountState {
  if (!status.Payments) {
    return 'payments-off'
  }

  if (!canPay(balance)) {
    return 'no-funds'
  }

  return (history?.Buckets ?? []).some(bucket => bucket.PaymentsSent > 0) ? 'paying' : 'trial'
}

/** Whether the account is on the ledger and holds some of the asset */
export function canPay (balance: Balance | undefined): boolean {
  return balance != null && balance.Funded && balance.AssetBalance != null && /[1-9]/.test(balance.AssetBalance)
}

/**
 * The chart's two series: payment requests the node received (paid or not)
 * and payments it made, in each of `bins` buckets (the book lists only
 * buckets with something in them)
 */
export function requestsAgainstPayments (history: History, bins: number): Array<{ start: number, requests: number, payments: number }> {
  const points = Array.from({ length: bins }, (_, i) => ({ start: history.From + i * history.Bucket, requests: 0, payments: 0 }))

  for (const bucket of history.Buckets) {
    const point = points[Math.round((bucket.Start - history.From) / history.Bucket)]

    if (point != null) {
      point.requests += bucket.PaymentsSent + bucket.Rejected
      point.payments += bucket.PaymentsSent
    }
  }

  return points
}
