/**
 * The JSON shapes the RPC API and the payment gateway give payments in:
 * amounts as exact 7-decimal strings, byte counts as decimal strings
 */
import { fromStroops } from '../stellar/amounts.js'
import type { BillOutcome, PeerPayments, Tab } from './service.js'

export function peerView (peer: PeerPayments): Record<string, unknown> {
  return {
    Peer: peer.peer,
    // what the peer pays us for what we serve it
    Served: peer.asPayer == null
      ? null
      : {
          Bytes: peer.asPayer.bytesServed.toString(),
          PaidThrough: peer.asPayer.paidThrough.toString(),
          Received: fromStroops(peer.asPayer.received)
        },
    // what we pay the peer for what it serves us
    Fetched: peer.asPayee == null
      ? null
      : {
          Bytes: peer.asPayee.bytesDelivered.toString(),
          PaidThrough: peer.asPayee.paidThrough.toString(),
          Paid: fromStroops(peer.asPayee.paid),
          Unsettled: fromStroops(peer.asPayee.unsettled.reduce((sum, tab) => sum + tab.total, 0n))
        }
  }
}

export function tabView (tab: Tab): Record<string, unknown> {
  return {
    Peer: tab.peer,
    Channel: tab.channel,
    Sequence: tab.sequence.toString(),
    Total: fromStroops(tab.total),
    Payer: tab.payer ?? null,
    State: tab.state,
    OpenedAt: new Date(tab.openedAt).toISOString(),
    UpdatedAt: new Date(tab.updatedAt).toISOString(),
    Hash: tab.hash ?? null,
    Result: tab.result ?? null,
    // a request the payer has not answered: the tab waits for its answer before it settles
    PendingRequest: tab.pending?.requestId ?? null
  }
}

export function billView (outcome: BillOutcome): Record<string, unknown> {
  switch (outcome.status) {
    case 'paid':
      return { Status: 'paid', Request: outcome.requestId, Amount: fromStroops(outcome.amount), TabTotal: fromStroops(outcome.total), PaidThrough: outcome.paidThrough.toString(), Received: fromStroops(outcome.received) }
    case 'nothing-due':
      return { Status: 'nothing-due', PaidThrough: outcome.paidThrough.toString() }
    default:
      return { Status: 'rejected', Request: outcome.requestId, Code: outcome.code, Reason: outcome.reason, PeerReceived: outcome.received.toString() }
  }
}
