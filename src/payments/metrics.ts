/**
 * The payment metrics, under conventional names; all optional, like
 * libp2p's own
 */
import type { Counter, CounterGroup, Metrics } from '@libp2p/interface'

export class PaymentMetrics {
  /** Payment requests we sent, by outcome */
  readonly requests?: CounterGroup
  /** Payment requests peers sent us, by outcome */
  readonly requestsReceived?: CounterGroup
  readonly paymentsReceived?: Counter
  readonly paymentsSent?: Counter
  readonly stroopsReceived?: Counter
  readonly stroopsSent?: Counter
  /** Settlements, by result */
  readonly settlements?: CounterGroup
  readonly stroopsSettled?: Counter
  /** Payments through routes, by event: sent (as client), forwarded, taken (as payee), fulfilled, failed, claimed (on the ledger) */
  readonly routed?: CounterGroup
  /** Stroops earned relaying: received less forwarded */
  readonly relayFees?: Counter

  constructor (metrics?: Metrics) {
    this.requests = metrics?.registerCounterGroup('torplus_payment_requests_total', { label: 'outcome', help: 'Payment requests sent to peers, by outcome (paid, a reject code, or failed)' })
    this.requestsReceived = metrics?.registerCounterGroup('torplus_payment_requests_received_total', { label: 'outcome', help: 'Payment requests received from peers, by outcome (paid, or our reject code)' })
    this.paymentsReceived = metrics?.registerCounter('torplus_payments_received_total', { help: 'Payments received and accepted' })
    this.paymentsSent = metrics?.registerCounter('torplus_payments_sent_total', { help: 'Payments made' })
    this.stroopsReceived = metrics?.registerCounter('torplus_payments_received_stroops_total', { help: 'Stroops of the asset received in payments' })
    this.stroopsSent = metrics?.registerCounter('torplus_payments_sent_stroops_total', { help: 'Stroops of the asset paid' })
    this.settlements = metrics?.registerCounterGroup('torplus_settlements_total', { label: 'result', help: 'Settlement transactions, by result (submitted, settled, failed)' })
    this.stroopsSettled = metrics?.registerCounter('torplus_settled_stroops_total', { help: 'Stroops of the asset settled on the ledger' })
    this.routed = metrics?.registerCounterGroup('torplus_routed_payments_total', { label: 'event', help: 'Payments through routes, by event: sent, forwarded, taken, fulfilled, failed, claimed' })
    this.relayFees = metrics?.registerCounter('torplus_relay_fees_stroops_total', { help: 'Stroops earned relaying payments: received less forwarded' })
  }
}
