/**
 * The JSON shapes the RPC API and the payment gateway give payments in:
 * amounts as exact 7-decimal strings, byte counts as decimal strings. The
 * CLI reads responses as these types.
 */
import { fromStroops } from '../../stellar/index.js'
import type { BillOutcome, HistoryBucket, PeerPayments, Tab, TabState } from '../../payments/index.js'

export interface PeerView {
  Peer: string
  /** What the peer pays us for what we serve it; `Attention`: of `Received`, what it paid for attention to our sites */
  Served: { Bytes: string, PaidThrough: string, Received: string, Attention: string } | null
  /** What we pay the peer for what it serves us; `Attention`: of `Paid`, what we paid for attention to its sites */
  Fetched: { Bytes: string, PaidThrough: string, Paid: string, Attention: string, Unsettled: string } | null
}

export interface PeersView {
  Peers: PeerView[]
}

export interface TabView {
  Peer: string
  Channel: string
  Sequence: string
  Total: string
  Payer: string | null
  State: TabState
  OpenedAt: string
  UpdatedAt: string
  Hash: string | null
  Result: string | null
  /** A request the payer has not answered: the tab waits for its answer before it settles */
  PendingRequest: string | null
}

export interface TabsView {
  Tabs: TabView[]
}

export type BillView =
  | { Status: 'paid', Request: string, Amount: string, TabTotal: string, PaidThrough: string, Received: string }
  | { Status: 'nothing-due', PaidThrough: string }
  | { Status: 'rejected', Request: string, Code: string, Reason: string, PeerReceived: string }

export interface HistoryBucketView {
  Start: number
  RequestsSent: number
  Billed: string
  PaymentsReceived: number
  Received: string
  PaymentsSent: number
  Paid: string
  Rejected: number
}

/** The payment gateway's /api/v1/history */
export interface HistoryView {
  From: number
  To: number
  /** Milliseconds per bucket */
  Bucket: number
  Buckets: HistoryBucketView[]
}

export function peerView (peer: PeerPayments): PeerView {
  return {
    Peer: peer.peer,
    Served: peer.fromPeer == null
      ? null
      : {
          Bytes: peer.fromPeer.bytesServed.toString(),
          PaidThrough: peer.fromPeer.paidThrough.toString(),
          Received: fromStroops(peer.fromPeer.received),
          Attention: fromStroops(peer.fromPeer.attention ?? 0n)
        },
    Fetched: peer.toPeer == null
      ? null
      : {
          Bytes: peer.toPeer.bytesDelivered.toString(),
          PaidThrough: peer.toPeer.paidThrough.toString(),
          Paid: fromStroops(peer.toPeer.paid),
          Attention: fromStroops(peer.toPeer.attention ?? 0n),
          Unsettled: fromStroops(peer.toPeer.unsettled.reduce((sum, tab) => sum + tab.total, 0n))
        }
  }
}

export function tabView (tab: Tab): TabView {
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
    PendingRequest: tab.pending?.requestId ?? null
  }
}

export function billView (outcome: BillOutcome): BillView {
  switch (outcome.status) {
    case 'paid':
      return { Status: 'paid', Request: outcome.requestId, Amount: fromStroops(outcome.amount), TabTotal: fromStroops(outcome.total), PaidThrough: outcome.paidThrough.toString(), Received: fromStroops(outcome.received) }
    case 'nothing-due':
      return { Status: 'nothing-due', PaidThrough: outcome.paidThrough.toString() }
    default:
      return { Status: 'rejected', Request: outcome.requestId, Code: outcome.code, Reason: outcome.reason, PeerReceived: outcome.received.toString() }
  }
}

export function historyBucketView (bucket: HistoryBucket): HistoryBucketView {
  return {
    Start: bucket.start,
    RequestsSent: bucket.requestsSent,
    Billed: fromStroops(bucket.billed),
    PaymentsReceived: bucket.paymentsReceived,
    Received: fromStroops(bucket.received),
    PaymentsSent: bucket.paymentsSent,
    Paid: fromStroops(bucket.paid),
    Rejected: bucket.rejected
  }
}

/** The book's history as the extension's chart reads it (`/api/book/history/…`) */
export interface BookHistoryView {
  Commodity: string
  From: number
  Bucket: number
  Buckets: HistoryBucketView[]
}
