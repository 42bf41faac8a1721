/**
 * The JSON shape of frequency/top
 */
import type { PopularItem, PopularList } from '../../frequency/index.js'

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

export interface PeerListView {
  Peer: string
  /** When the peer made its list, ms since the epoch (its clock) */
  SnapshotTime: number
  /** The peer's half-life, ms */
  HalfLife: number
  Items: Array<{ Cid: string, Requesters: number, DagSize: string | null, RootConfirmed: boolean, Held: boolean }>
  /** Entries the peer sent that were not a CID */
  Malformed: number
}

export function peerListView (peer: string, list: PopularList): PeerListView {
  return {
    Peer: peer,
    SnapshotTime: list.snapshotTime,
    HalfLife: list.halfLife,
    Items: list.entries.map(entry => ({
      Cid: entry.cid.toString(),
      Requesters: entry.requesters,
      DagSize: entry.dagSize?.toString() ?? null,
      RootConfirmed: entry.rootConfirmed,
      Held: entry.held
    })),
    Malformed: list.malformed
  }
}
