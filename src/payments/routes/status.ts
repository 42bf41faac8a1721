/**
 * What an operator sees of routes: as a client (sessions, relays known,
 * our routed payments and their fees) and as a relay (legs, what is pending,
 * fees earned), read from the books and the route client's memory
 */
import { lockedOn } from '../books/index.js'
import type { ClientSession } from './client.js'
import type { RelayInit } from './router.js'
import type { LegOut, PaymentBooks, RoutedPayment, Tab } from '../books/index.js'

export interface RelayKnown {
  peer: string
  feeBase: bigint
  feePpm: number
  expiryDelta: number
  /** 0 to 1 */
  success: number
  penalised: boolean
}

export interface RoutesStatus {
  hops: number
  guard?: string
  sessions: Array<{ payee: string, relays: string[], openedAt: number }>
  relays: RelayKnown[]
  /** Our payments through routes, newest first */
  payments: Array<RoutedPayment & { fee: bigint }>
  paid: number
  failed: number
  /** Stroops: what the fulfilled payments cost, their fees included */
  spent: bigint
  fees: bigint
}

export interface RelayStatus {
  enabled: boolean
  terms: RelayInit
  /** Stroops locked on our outgoing legs now */
  pending: bigint
  legsIn: Tab[]
  legsOut: LegOut[]
  forwarded: number
  fulfilled: number
  failed: number
  /** Stroops: what we received less what we forwarded, over fulfilled payments */
  earned: bigint
}

/** Routed payments listed at most */
const LISTED = 50

export function routesStatus (books: PaymentBooks, client: { hops: number, guard?: string, sessions: ClientSession[], relays: RelayKnown[] }): RoutesStatus {
  const ours = books.routedList().filter(routed => routed.in == null && routed.out != null)
  const feeOf = (routed: RoutedPayment): bigint => (routed.out?.amount ?? 0n) - (routed.request?.amount ?? 0n)
  const paid = ours.filter(routed => routed.state === 'fulfilled')

  return {
    hops: client.hops,
    guard: client.guard,
    sessions: client.sessions.map(session => ({ payee: session.payee, relays: session.relays.map(relay => relay.peer.toString()), openedAt: session.openedAt })),
    relays: client.relays,
    payments: ours.slice(0, LISTED).map(routed => ({ ...routed, fee: feeOf(routed) })),
    paid: paid.length,
    failed: ours.filter(routed => routed.state === 'failed').length,
    spent: paid.reduce((sum, routed) => sum + (routed.out?.amount ?? 0n), 0n),
    fees: paid.reduce((sum, routed) => sum + feeOf(routed), 0n)
  }
}

export function relayStatus (books: PaymentBooks, terms: RelayInit): RelayStatus {
  const now = Date.now()
  const relayed = books.routedList().filter(routed => routed.in != null && routed.out != null)
  const fulfilled = relayed.filter(routed => routed.state === 'fulfilled')
  const legsOut = books.legOutList()

  return {
    enabled: terms.enabled,
    terms,
    pending: lockedOn(legsOut, now),
    legsIn: books.tabList(['open']).filter(tab => tab.leg === true),
    legsOut,
    forwarded: relayed.length,
    fulfilled: fulfilled.length,
    failed: relayed.filter(routed => routed.state === 'failed').length,
    earned: fulfilled.reduce((sum, routed) => sum + (routed.in?.amount ?? 0n) - (routed.out?.amount ?? 0n), 0n)
  }
}
