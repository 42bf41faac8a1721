/**
 * What a fill round buys and what it lets go. An item is worth storing when
 * the requests we can expect to serve for it pay for it: its requesters
 * shared among its live providers and us, times our sell price, against its
 * buy price. Bytes cost the same whatever the DAG, so items go greedily by
 * score per provider (the fractional knapsack's order) into what the share
 * of the quota leaves, always short of the headroom kept for the user's own
 * adds. A held fill DAG is let go when the user needs the room, or when a
 * candidate beats it by the hysteresis factor (a fetch costs money, so
 * demand must shift clearly before we trade).
 */
import type { CID } from 'multiformats/cid'

export interface ValuedCandidate {
  cid: CID
  score: number
  requesters: number
  /** Live providers we may buy from (reporters not counted) */
  providers: number
  /** Bytes of the whole DAG, checked against its root */
  size: bigint
}

export interface HeldFill {
  cid: CID
  size: bigint
  score: number
  /** Live providers besides us */
  providers: number
}

export interface PlanInit {
  candidates: ValuedCandidate[]
  held: HeldFill[]
  /** Bytes fill may hold in all: Fill.Share of Datastore.StorageMax */
  shareBytes: bigint
  /** Bytes the repo may still take before the headroom kept for the user */
  freeBytes: bigint
  /** A candidate replaces a held DAG only when this many times denser @default 1.5 */
  hysteresis?: number
}

export interface FillPlan {
  fetch: ValuedCandidate[]
  evict: HeldFill[]
}

export interface PriceCheck {
  /** What we pay per MiB at most */
  buyPrice: bigint
  /** What we charge per MiB */
  sellPrice: bigint
}

/**
 * Whether serving the item is expected to pay for buying it: requesters
 * per provider (us included) × sell price ≥ buy price
 */
export function pays (candidate: Pick<ValuedCandidate, 'requesters' | 'providers'>, prices: PriceCheck): boolean {
  if (prices.buyPrice === 0n) {
    return true
  }

  return candidate.requesters * Number(prices.sellPrice) >= (candidate.providers + 1) * Number(prices.buyPrice)
}

/** The value of storing an item, per byte: its score shared with its providers */
export function density (item: { score: number, providers: number }): number {
  return item.score / (item.providers + 1)
}

export function planFill (init: PlanInit): FillPlan {
  const hysteresis = init.hysteresis ?? 1.5
  const held = [...init.held].sort((a, b) => density(a) - density(b))
  const heldBytes = held.reduce((sum, item) => sum + item.size, 0n)
  let room = min(init.shareBytes - heldBytes, init.freeBytes)
  const evict: HeldFill[] = []

  // the user needs the room, or the share shrank: the least valuable go first
  while (room < 0n) {
    const item = held.shift()

    if (item == null) {
      break
    }

    evict.push(item)
    room += item.size
  }

  const fetch: ValuedCandidate[] = []

  for (const candidate of [...init.candidates].sort((a, b) => density(b) - density(a))) {
    if (candidate.size <= room) {
      fetch.push(candidate)
      room -= candidate.size
      continue
    }

    // make room from held DAGs clearly less valuable than the candidate
    const replaceable: HeldFill[] = []
    let freed = room

    for (const item of held) {
      if (freed >= candidate.size || density(item) * hysteresis >= density(candidate)) {
        break
      }

      replaceable.push(item)
      freed += item.size
    }

    if (freed >= candidate.size) {
      held.splice(0, replaceable.length)
      evict.push(...replaceable)
      fetch.push(candidate)
      room = freed - candidate.size
    }
  }

  return { fetch, evict }
}

function min (a: bigint, b: bigint): bigint {
  return a < b ? a : b
}
