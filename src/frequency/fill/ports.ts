/**
 * What fill needs from the rest of the node, declared here so that fill
 * knows nothing of Helia, bitswap or payments: `core/fill.ts` provides it
 */
import type { PopularList } from '../popular.js'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface FillNetwork {
  /** Peers to ask for lists, best first: those we exchanged money with, then the rest */
  reporters(options?: AbortOptions): Promise<string[]>
  /** A peer's popular list; `ifNewerThan`: the time of the list we have */
  ask(peer: string, options?: AbortOptions & { ifNewerThan?: number }): Promise<PopularList>
  /** Stroops exchanged with the peer, either way: the one costly signal there is */
  moneyWith(peer: string): bigint
  /** Live providers of `cid`, those in `exclude` left out */
  providers(cid: CID, options: AbortOptions & { exclude: Set<string>, limit: number }): Promise<string[]>
}

export interface FillStorage {
  /** Bytes the repo's blocks take, and its quota */
  stat(): { used: bigint, max: bigint }
  /** Whether the repo holds the DAG already: it is pinned */
  pinned(cid: CID, options?: AbortOptions): Promise<boolean>
}

export interface DagFetchOptions extends AbortOptions {
  /** Peers to fetch from */
  providers: string[]
  /** Stop past this many bytes: the DAG lied about its size */
  maxBytes: bigint
  /** Each block stored */
  onBlock?(bytes: number): void
}

export interface FillFetcher {
  /**
   * The root block from these providers; its size and, for dag-pb, the
   * sizes its links declare, and the CID the DAG is read by (a list names
   * a root it saw only as a DHT key as raw). Undefined for a codec fill
   * does not take.
   */
  root(cid: CID, options: AbortOptions & { providers: string[] }): Promise<{ size: bigint, cid: CID } | undefined>
  /** The whole DAG from these providers; the bytes of blocks fetched */
  fetch(cid: CID, options: DagFetchOptions): Promise<bigint>
  /** Pin the fetched DAG under fill's label */
  pin(cid: CID, metadata: Record<string, string | number | boolean>, options?: AbortOptions): Promise<void>
  /** Unpin a fill DAG and delete the blocks no other pin holds; the bytes freed */
  unpin(cid: CID, options?: AbortOptions): Promise<bigint>
  /** Announce the root in the DHT, in the background */
  provide(cid: CID): void
}

export interface FillSpending {
  /** Stroops paid to all peers so far */
  spent(): bigint
}
