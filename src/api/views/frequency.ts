/**
 * The JSON shape of frequency/top
 */
import type { PopularItem } from '../../frequency/index.js'

export interface PopularItemView {
  Cid: string
  /** Distinct requesters, decayed and weighted (local: requests) */
  Requesters: number
  /** Seen as a root (a DHT lookup, a local request) rather than only as a want */
  RootConfirmed: boolean
  Sources: string[]
  /** Milliseconds since the epoch */
  FirstSeen: number
  LastSeen: number
}

export interface FrequencyTopView {
  /** Local demand (gateway, RPC) rather than what peers asked for */
  Local: boolean
  Items: PopularItemView[]
}

export function popularItemView (item: PopularItem): PopularItemView {
  return {
    Cid: item.cid.toString(),
    Requesters: Math.round(item.requesters * 100) / 100,
    RootConfirmed: item.rootConfirmed,
    Sources: item.sources,
    FirstSeen: item.firstSeen,
    LastSeen: item.lastSeen
  }
}
