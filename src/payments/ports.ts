/**
 * What the payment service needs from the rest of the node, declared here
 * so that payments depends on nothing of bitswap: the metered bitswap, which
 * bills and pays through this service, provides it
 */
import type { PeerId } from '@libp2p/interface'

/** Each peer's traffic, as far as money goes */
export interface PeerCounts {
  /** Bytes served to the peer, all told: what a payee bills */
  served(peer: PeerId | string): bigint

  /**
   * Bytes of what we asked the peer for that it delivered, all told: what
   * a payer pays for (never bytes it pushed unasked)
   */
  delivered(peer: PeerId | string): bigint

  /** Whether the peer is serving wants of ours now (bytes may be on their way) */
  serving(peer: PeerId | string): boolean

  /**
   * Raise a peer's counts to at least these: the payment books are synced at
   * every payment, the counts lazily, so after a crash the books may know of
   * more bytes than the counts
   */
  atLeast(peer: PeerId | string, counts: { served?: bigint, delivered?: bigint }): void

  /**
   * Whether the counts may be short of what moved: the node crashed, and
   * what it counted last before the crash was not written
   */
  uncertain(): boolean

  /**
   * Keep each peer `holder.holds` says to however idle, and tell
   * `holder.forgotten` of each peer whose counts were dropped as idle;
   * returns what undoes it
   */
  retain(holder: PeerHolder): () => void
}

/** What keeps peers' counts: the payment books */
export interface PeerHolder {
  /** Whether the peer's counts must be kept (it has payments) */
  holds(peer: string): boolean
  /** The peer's counts were dropped: what else is kept of it may go too */
  forgotten(peer: string): void
}
