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
 * `roundBytes`. With `budgets`, the bytes a DAG takes are charged to the
 * supporters whose word scored it, in proportion, and the share (and the
 * round's bytes) is split among the words by weight, what a word does not
 * ask for going to the others by weight (max-min fair): a group of
 * colluding reporters, however it lists, gets no more of the share, and of
 * each round's money, than its weight, while others ask for more.
 */
import type { Candidate } from './merge.js'
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
  const words = new WordSpending(init)
  let room = min(init.shareBytes - heldBytes, init.freeBytes)
  const evict: HeldFill[] = []
  held.forEach(item => { words.take(item) })

  // the user needs the room, or the share shrank: the least valuable go first
  while (room < 0n) {
    const item = held.shift()

    if (item == null) {
      break
    }

    evict.push(item)
    words.release(item)
    room += item.size
  }

  const fetch: ValuedCandidate[] = []

  for (const candidate of [...init.candidates].sort((a, b) => density(b) - density(a))) {
    if (!words.roundAffords(candidate)) {
      continue
    }

    if (candidate.size <= room && words.affords(candidate)) {
      fetch.push(candidate)
      words.buy(candidate)
      room -= candidate.size
      continue
    }

    // make room from held DAGs clearly less valuable: first those charged to
    // the supporters whose budget it lacks, then any for the bytes
    const replaceable: HeldFill[] = []
    let freed = room
    const fits = (): boolean => freed >= candidate.size && words.affords(candidate)
    const passes = [(item: HeldFill) => words.frees(item, candidate), () => freed < candidate.size]

    for (const helps of passes) {
      for (const item of held) {
        if (fits() || density(item) * hysteresis >= density(candidate)) {
          break
        }

        if (!replaceable.includes(item) && helps(item)) {
          replaceable.push(item)
          words.release(item)
          freed += item.size
        }
      }
    }

    if (fits()) {
      held = held.filter(item => !replaceable.includes(item))
      evict.push(...replaceable)
      fetch.push(candidate)
      words.buy(candidate)
      room = freed - candidate.size
    } else {
      replaceable.forEach(item => { words.take(item) })
    }
  }

  return { fetch, evict }
}

/**
 * The bytes each supporter's word has brought in, against its part of the
 * share, and the bytes the round buys, against the round's and each word's
 * part of it
 */
class WordSpending {
  private readonly held = new Map<string, bigint>()
  private readonly bought = new Map<string, bigint>()
  private boughtBytes = 0n
  private readonly roundBytes?: bigint
  private readonly shareBudgets?: Map<string, bigint>
  private readonly roundBudgets?: Map<string, bigint>

  constructor (init: PlanInit) {
    this.roundBytes = init.roundBytes

    if (init.budgets != null) {
      const demand = demands(init.wanted ?? [...init.held, ...init.candidates])
      this.shareBudgets = fairShares(init.budgets, demand, init.shareBytes)
      this.roundBudgets = fairShares(init.budgets, demand, init.roundBytes ?? init.shareBytes)
    }
  }

  /** Whether the item's supporters have the budget for it in the share */
  affords (item: Charged): boolean {
    return this.shareBudgets == null || within(charges(item), this.held, this.shareBudgets)
  }

  /** Whether the round, and the item's supporters' part of it, can buy it */
  roundAffords (item: Charged): boolean {
    if (this.roundBytes == null) {
      return true
    }

    return this.boughtBytes + item.size <= this.roundBytes && (this.roundBudgets == null || within(charges(item), this.bought, this.roundBudgets))
  }

  /** Whether letting `item` go frees share budget `candidate` lacks */
  frees (item: Charged, candidate: Charged): boolean {
    const short = charges(candidate)
      .filter(([word, bytes]) => (this.held.get(word) ?? 0n) + bytes > (this.shareBudgets?.get(word) ?? 0n))
      .map(([word]) => word)
    return charges(item).some(([word, bytes]) => bytes > 0n && short.includes(word))
  }

  take (item: Charged): void {
    add(this.held, charges(item), 1n)
  }

  release (item: Charged): void {
    add(this.held, charges(item), -1n)
  }

  buy (item: Charged): void {
    this.take(item)
    add(this.bought, charges(item), 1n)
    this.boughtBytes += item.size
  }
}

/** The item's bytes split among its supporters by what each gave its score */
function charges (item: Charged): Array<[string, bigint]> {
  const parts = [...(item.contributions ?? [])].filter(([, part]) => part > 0)
  const total = parts.reduce((sum, [, part]) => sum + part, 0)
  return parts.map(([word, part]) => [word, item.size * BigInt(Math.round(part / total * PARTS)) / BigInt(PARTS)])
}

function within (itemCharges: Array<[string, bigint]>, used: Map<string, bigint>, budgets: Map<string, bigint>): boolean {
  return itemCharges.length > 0 && itemCharges.every(([word, bytes]) => (used.get(word) ?? 0n) + bytes <= (budgets.get(word) ?? 0n))
}

function add (used: Map<string, bigint>, itemCharges: Array<[string, bigint]>, sign: bigint): void {
  itemCharges.forEach(([word, bytes]) => { used.set(word, (used.get(word) ?? 0n) + sign * bytes) })
}

/** The bytes each word would bring in if it had its way */
function demands (items: Charged[]): Map<string, bigint> {
  const demand = new Map<string, bigint>()
  items.forEach(item => { add(demand, charges(item), 1n) })
  return demand
}

/**
 * `total` split by weight among the words that ask for it; a word asking
 * for less than its part gets what it asks, the rest going to the others
 * by weight
 */
export function fairShares (weights: Map<string, number>, demand: Map<string, bigint>, total: bigint): Map<string, bigint> {
  const budgets = new Map<string, bigint>()
  let open = [...demand.keys()].filter(word => (weights.get(word) ?? 0) > 0 && (demand.get(word) ?? 0n) > 0n)
  let remaining = total

  while (open.length > 0) {
    const weight = open.reduce((sum, word) => sum + (weights.get(word) ?? 0), 0)
    const left = Number(remaining)
    const parts = new Map(open.map(word => [word, BigInt(Math.floor(left * (weights.get(word) ?? 0) / weight))]))
    const satisfied = open.filter(word => (demand.get(word) ?? 0n) <= (parts.get(word) ?? 0n))

    if (satisfied.length === 0) {
      parts.forEach((part, word) => budgets.set(word, part))
      break
    }

    for (const word of satisfied) {
      budgets.set(word, demand.get(word) ?? 0n)
      remaining -= demand.get(word) ?? 0n
    }

    open = open.filter(word => !satisfied.includes(word))
  }

  return budgets
}

export type Charged = Pick<ValuedCandidate, 'size' | 'contributions'>

/**
 * All the words would have us hold: the held DAGs, the valued candidates at
 * their checked sizes, and every other merged candidate at the valued ones'
 * mean size. A round values only its best candidates, so the words that
 * support those alone must not seem to ask for little, which would leave
 * the rest of the share to them
 */
export function wantedByWords (merged: Array<Pick<Candidate, 'cid' | 'contributions'>>, valued: ValuedCandidate[], held: HeldFill[]): Charged[] {
  const checked = new Set([...valued, ...held].map(item => item.cid.toString()))
  const mean = valued.length === 0 ? 0n : valued.reduce((sum, item) => sum + item.size, 0n) / BigInt(valued.length)
  const unchecked = merged.filter(item => !checked.has(item.cid.toString())).map(item => ({ size: mean, contributions: item.contributions }))
  return [...held, ...valued, ...unchecked]
}

/** Resolution of a supporter's part of an item's bytes */
const PARTS = 1_000_000

function min (a: bigint, b: bigint): bigint {
  return a < b ? a : b
}
