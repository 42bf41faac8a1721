/**
 * What a fill round buys and what it lets go. An item is worth storing when
 * the requests we can expect to serve for it pay for it: its requesters
 * shared among its live providers and us, times our sell price, against its
 * buy price. Bytes cost the same whatever the DAG, so items go greedily by
 * score per provider (the fractional knapsack's order) into what the share
 * of the quota leaves, always short of the headroom kept for the user's own
 * adds. A held fill DAG is let go when the user needs the room, or when a
 * candidate beats it by the hysteresis factor (a fetch costs money, so
 * demand must shift clearly before we trade). A round buys no more than
 * `roundBytes`. With `budgets`, the share and the round's bytes are split
 * among the supporters' words by weight (`words.ts`), so a group of
 * colluding reporters, however it lists, gets no more of the share, and of
 * each round's money, than its weight while others ask for more.
 */
import { demands, fairShares, proportional, WordBudgets } from './words.js'
import type { Charged, Charges } from './words.js'
import type { CID } from 'multiformats/cid'

export interface ValuedCandidate {
  cid: CID
  score: number
  requesters: number
  /** Live providers we may buy from (reporters not counted) */
  providers: number
  /** Bytes of the whole DAG, checked against its root */
  size: bigint
  /** How much of the score each supporter's word gave */
  contributions?: Map<string, number>
}

export interface HeldFill {
  cid: CID
  size: bigint
  score: number
  /** Live providers besides us */
  providers: number
  /** How much of the score each supporter's word gives it now (none if no list names it) */
  contributions?: Map<string, number>
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
  /** What each supporter's word weighs (`wordWeights`), for its part of the share and of the round's bytes; unlimited if not given */
  budgets?: Map<string, number>
  /** All the words would have us hold (`wantedByWords`), for what each asks for @default the held DAGs and the candidates */
  wanted?: Charged[]
  /** Bytes the round may buy: `Fill.MaxSpend` at the buy price; unlimited if not given */
  roundBytes?: bigint
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
  let held = [...init.held].sort((a, b) => density(a) - density(b))
  const heldBytes = held.reduce((sum, item) => sum + item.size, 0n)
  const { budgets } = init
  const demand = demands(init.wanted ?? [...init.held, ...init.candidates])
  const wordsOf = (total: bigint): WordBudgets => new WordBudgets(budgets == null ? undefined : fairShares(budgets, demand, total))
  const shareWords = wordsOf(init.shareBytes)
  const roundWords = wordsOf(init.roundBytes ?? init.shareBytes)
  // what each held DAG is charged: its supporters' parts as they stand
  const heldCharges = new Map(held.map(item => [item, budgets == null ? [] : proportional(item)]))
  heldCharges.forEach(charges => { shareWords.add(charges) })
  const release = (item: HeldFill): void => { shareWords.add(heldCharges.get(item) ?? [], -1n) }
  let room = min(init.shareBytes - heldBytes, init.freeBytes)
  let bought = 0n
  const evict: HeldFill[] = []

  // the user needs the room, or the share shrank: the least valuable go first
  while (room < 0n) {
    const item = held.shift()

    if (item == null) {
      break
    }

    evict.push(item)
    release(item)
    room += item.size
  }

  const fetch: ValuedCandidate[] = []

  for (const candidate of [...init.candidates].sort((a, b) => density(b) - density(a))) {
    const roundCharges = roundWords.charge(candidate)

    if (roundCharges == null || (init.roundBytes != null && bought + candidate.size > init.roundBytes)) {
      continue
    }

    const { replaceable, freed, charges } = makeRoom(candidate, { held, heldCharges, shareWords, room, hysteresis })

    if (freed >= candidate.size && charges != null) {
      held = held.filter(item => !replaceable.includes(item))
      evict.push(...replaceable)
      fetch.push(candidate)
      shareWords.add(charges)
      roundWords.add(roundCharges)
      bought += candidate.size
      room = freed - candidate.size
    } else {
      replaceable.forEach(item => { shareWords.add(heldCharges.get(item) ?? []) })
    }
  }

  return { fetch, evict }
}

/**
 * Room for `candidate` from held DAGs clearly less valuable: first those
 * charged to the supporters whose budget it lacks, then any for the bytes.
 * What it lets go is released from the budgets; the caller takes it back if
 * the candidate still does not fit
 */
function makeRoom (candidate: ValuedCandidate, context: { held: HeldFill[], heldCharges: Map<HeldFill, Charges>, shareWords: WordBudgets, room: bigint, hysteresis: number }): { replaceable: HeldFill[], freed: bigint, charges?: Charges } {
  const { held, heldCharges, shareWords, hysteresis } = context
  const replaceable: HeldFill[] = []
  let freed = context.room
  let charges = shareWords.charge(candidate)
  const short = new Set(shareWords.short(candidate))
  const passes = [
    (item: HeldFill) => (heldCharges.get(item) ?? []).some(([word, bytes]) => bytes > 0n && short.has(word)),
    () => freed < candidate.size
  ]

  for (const helps of passes) {
    for (const item of held) {
      if ((freed >= candidate.size && charges != null) || density(item) * hysteresis >= density(candidate)) {
        break
      }

      if (!replaceable.includes(item) && helps(item)) {
        replaceable.push(item)
        shareWords.add(heldCharges.get(item) ?? [], -1n)
        freed += item.size
        charges = shareWords.charge(candidate)
      }
    }
  }

  return { replaceable, freed, charges }
}

function min (a: bigint, b: bigint): bigint {
  return a < b ? a : b
}
