/**
 * Payment routes as the RPC API gives them: the client's sessions, relays
 * and routed payments (`payments/routes`), and what this node relays
 * (`relay/stat`); amounts as exact 7-decimal strings
 */
import { fromStroops } from '../../stellar/index.js'
import type { RelayStatus, RoutesStatus } from '../../payments/index.js'

export interface RoutedPaymentView {
  Hash: string
  State: string
  Payee: string | null
  Amount: string
  Fee: string
  FirstHop: string | null
  Reason: string | null
  CreatedAt: string
}

export interface RoutesView {
  Hops: number
  Guard: string | null
  Sessions: Array<{ Payee: string, Relays: string[], OpenedAt: string }>
  Relays: Array<{ Peer: string, FeeBase: string, FeePPM: number, ExpiryDelta: number, Success: number, PassedOver: boolean }>
  Payments: RoutedPaymentView[]
  Paid: number
  Failed: number
  /** What the paid payments cost, fees included */
  Spent: string
  Fees: string
}

export interface RelayStatView {
  Enabled: boolean
  FeeBase: string
  FeePPM: number
  ExpiryDelta: number
  MaxPending: string
  Pending: string
  LegsIn: Array<{ Peer: string, Channel: string, Sequence: string, Total: string, Held: string | null }>
  LegsOut: Array<{ Peer: string, Payee: string, Channel: string, Sequence: string, Total: string, Pending: string | null }>
  Forwarded: number
  Fulfilled: number
  Failed: number
  Earned: string
}

export function routesView (status: RoutesStatus): RoutesView {
  return {
    Hops: status.hops,
    Guard: status.guard ?? null,
    Sessions: status.sessions.map(session => ({ Payee: session.payee, Relays: session.relays, OpenedAt: new Date(session.openedAt).toISOString() })),
    Relays: status.relays.map(relay => ({ Peer: relay.peer, FeeBase: fromStroops(relay.feeBase), FeePPM: relay.feePpm, ExpiryDelta: relay.expiryDelta, Success: relay.success, PassedOver: relay.penalised })),
    Payments: status.payments.map(payment => ({
      Hash: payment.hash,
      State: payment.state,
      Payee: payment.request?.peer ?? null,
      Amount: fromStroops(payment.request?.amount ?? 0n),
      Fee: fromStroops(payment.fee),
      FirstHop: payment.out?.peer ?? null,
      Reason: payment.reason ?? null,
      CreatedAt: new Date(payment.createdAt).toISOString()
    })),
    Paid: status.paid,
    Failed: status.failed,
    Spent: fromStroops(status.spent),
    Fees: fromStroops(status.fees)
  }
}

export function relayStatView (status: RelayStatus): RelayStatView {
  return {
    Enabled: status.enabled,
    FeeBase: fromStroops(status.terms.feeBase),
    FeePPM: status.terms.feePpm,
    ExpiryDelta: status.terms.expiryDelta,
    MaxPending: fromStroops(status.terms.maxPending),
    Pending: fromStroops(status.pending),
    LegsIn: status.legsIn.map(tab => ({ Peer: tab.peer, Channel: tab.channel, Sequence: tab.sequence.toString(), Total: fromStroops(tab.total), Held: tab.held == null ? null : fromStroops(tab.held.amount) })),
    LegsOut: status.legsOut.map(leg => ({ Peer: leg.peer, Payee: leg.payee, Channel: leg.channel, Sequence: leg.sequence.toString(), Total: fromStroops(leg.total), Pending: leg.pending == null ? null : fromStroops(leg.pending.amount) })),
    Forwarded: status.forwarded,
    Fulfilled: status.fulfilled,
    Failed: status.failed,
    Earned: fromStroops(status.earned)
  }
}
