/**
 * The JSON shapes of bitswap/stat and bitswap/ledger: Kubo's, with the
 * payment figures of metered bitswap
 */
import { fromStroops } from '../../stellar/index.js'
import type { PeerCreditView, PeerTraffic } from '../../bitswap/index.js'
import type { PeerPayments } from '../../payments/index.js'

export interface BitswapStatView {
  DataSent: string
  DataReceived: string
  Peers: string[]
  Throttled: number
  Refused: number
  PaymentsReceived: string
  PaymentsMade: string
}

export interface LedgerView {
  Peer: string
  /** Kubo's debt ratio: what we sent over what we received */
  Value: number
  Sent: string
  Recv: string
  /** Of what the peer sent us, the blocks we had asked it for (what we pay for) */
  Delivered: string
  Status: string
  Unpaid: string
  FreeBytes: string
  /** Bytes of free allowance left */
  Allowance: number | null
  PaidThrough: string
  PaidToUs: string
  PaidByUs: string
}

export interface LedgersView {
  Peers: LedgerView[]
}

/** One peer's ledger: its traffic, its credit (none when nothing is charged) and its payments */
export function ledgerView (peer: string, traffic: PeerTraffic, credit?: PeerCreditView, paid?: PeerPayments): LedgerView {
  const { bytesSent, bytesReceived, bytesDelivered } = traffic

  return {
    Peer: peer,
    Value: Number(bytesSent) / (Number(bytesReceived) + 1),
    Sent: bytesSent.toString(),
    Recv: bytesReceived.toString(),
    Delivered: bytesDelivered.toString(),
    Status: credit?.status ?? 'free',
    Unpaid: fromStroops(credit?.unpaid ?? 0n),
    FreeBytes: (credit?.freeBytes ?? 0n).toString(),
    Allowance: credit?.allowance ?? null,
    PaidThrough: (paid?.fromPeer?.paidThrough ?? 0n).toString(),
    PaidToUs: fromStroops(paid?.fromPeer?.received ?? 0n),
    PaidByUs: fromStroops(paid?.toPeer?.paid ?? 0n)
  }
}
