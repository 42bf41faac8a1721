/**
 * What each supporter's word may bring in. A DAG's bytes are charged to the
 * words (reporters, and our own observation) that scored it, by what each
 * gave its score, against a budget per word: the share of the quota, or of
 * a round, split by weight (`fairShares`). An item comes in when the words
 * able to take their part gave at least half its score, and is charged to
 * them alone: a word that spent its budget on items of its own cannot block
 * what others support, and the items only a group supports stop at its
 * budget.
 */
import { blockKey } from '../multihash.js'
import type { Candidate } from './merge.js'
import type { HeldFill, ValuedCandidate } from './plan.js'

/** An item's size and who scored it */
export type Charged = Pick<ValuedCandidate, 'size' | 'contributions'>

/** Bytes charged to each word */
export type Charges = Array<[string, bigint]>

/** Resolution of a word's part of an item's bytes */
const PARTS = 1_000_000

export class WordBudgets {
  private readonly used = new Map<string, bigint>()
  private readonly budgets?: Map<string, bigint>

  /** No budgets: nothing is charged and everything may come in */
  constructor (budgets?: Map<string, bigint>) {
    this.budgets = budgets
  }

  /**
   * What bringing `item` in charges each word, or undefined when the words
   * that can take their part gave less than half its score
   */
  charge (item: Charged): Charges | undefined {
    if (this.budgets == null) {
      return []
    }

    let able = parts(item)
    const total = sum(able)

    if (total <= 0) {
      return undefined
    }

    // a word that cannot take its part drops out, and the others' parts grow
    while (sum(able) * 2 >= total) {
      const charges = split(item.size, able)
      const short = new Set(charges.filter(([word, bytes]) => !this.affords(word, bytes)).map(([word]) => word))

      if (short.size === 0) {
        return charges
      }

      able = able.filter(([word]) => !short.has(word))
    }

    return undefined
  }

  /** The words whose budget lacks their part of `item` */
  short (item: Charged): string[] {
    return this.budgets == null ? [] : proportional(item).filter(([word, bytes]) => !this.affords(word, bytes)).map(([word]) => word)
  }

  /** Whether the words that have spent their budget gave at least half the item's score */
  spent (item: Pick<Charged, 'contributions'>): boolean {
    if (this.budgets == null) {
      return false
    }

    const all = parts(item)
    const exhausted = all.filter(([word]) => (this.used.get(word) ?? 0n) >= this.budget(word))
    return all.length > 0 && sum(exhausted) * 2 >= sum(all)
  }

  add (charges: Charges, sign = 1n): void {
    charges.forEach(([word, bytes]) => { this.used.set(word, (this.used.get(word) ?? 0n) + sign * bytes) })
  }

  private affords (word: string, bytes: bigint): boolean {
    return (this.used.get(word) ?? 0n) + bytes <= this.budget(word)
  }

  private budget (word: string): bigint {
    return this.budgets?.get(word) ?? 0n
  }
}

/** The item's bytes split among all who scored it, by what each gave */
export function proportional (item: Charged): Charges {
  return split(item.size, parts(item))
}

/**
 * What each word may have valued in a round, of `bytes` in all: a valuation
 * costs a provider search and a root block, so no group's candidates take
 * more of it than its weight's part while others ask for more. Sizes are
 * not known yet: each candidate counts as an even part of `bytes`
 */
export function valuingBudgets (weights: Map<string, number>, candidates: Array<Pick<Candidate, 'contributions'>>, bytes: bigint): WordBudgets {
  const each = candidates.length === 0 ? 0n : bytes / BigInt(candidates.length)
  return new WordBudgets(fairShares(weights, demands(candidates.map(candidate => ({ size: each, contributions: candidate.contributions }))), bytes))
}

/** The bytes each word would bring in if it had its way */
export function demands (items: Charged[]): Map<string, bigint> {
  const demand = new Map<string, bigint>()
  items.forEach(item => {
    proportional(item).forEach(([word, bytes]) => { demand.set(word, (demand.get(word) ?? 0n) + bytes) })
  })
  return demand
}

/**
 * `total` split by weight among the words that ask for it; a word asking
 * for less than its part gets what it asks, the rest going to the others
 * by weight (max-min fair)
 */
export function fairShares (weights: Map<string, number>, demand: Map<string, bigint>, total: bigint): Map<string, bigint> {
  const budgets = new Map<string, bigint>()
  let open = [...demand.keys()].filter(word => (weights.get(word) ?? 0) > 0 && (demand.get(word) ?? 0n) > 0n)
  let remaining = total

  while (open.length > 0) {
    const weight = open.reduce((all, word) => all + (weights.get(word) ?? 0), 0)
    const left = Number(remaining)
    const shares = new Map(open.map(word => [word, BigInt(Math.floor(left * (weights.get(word) ?? 0) / weight))]))
    const satisfied = open.filter(word => (demand.get(word) ?? 0n) <= (shares.get(word) ?? 0n))

    if (satisfied.length === 0) {
      shares.forEach((share, word) => budgets.set(word, share))
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

/**
 * All the words would have us hold: the held DAGs, the valued candidates at
 * their checked sizes, and every other merged candidate at the valued ones'
 * mean size. A round values only its best candidates, so the words that
 * support those alone must not seem to ask for little, which would leave
 * the rest of the share to them. Candidates the round valued and found it
 * cannot hold (`passedOver`: no provider, no root, too big, not paying) ask
 * for nothing: a word must not keep part of the share for what is not there
 */
export function wantedByWords (merged: Array<Pick<Candidate, 'cid' | 'contributions'>>, valued: ValuedCandidate[], held: HeldFill[], passedOver: Array<Pick<Candidate, 'cid'>> = []): Charged[] {
  const checked = new Set([...valued, ...held, ...passedOver].map(item => blockKey(item.cid)))
  const mean = valued.length === 0 ? 0n : valued.reduce((all, item) => all + item.size, 0n) / BigInt(valued.length)
  const unchecked = merged.filter(item => !checked.has(blockKey(item.cid))).map(item => ({ size: mean, contributions: item.contributions }))
  return [...held, ...valued, ...unchecked]
}

function parts (item: Pick<Charged, 'contributions'>): Array<[string, number]> {
  return [...(item.contributions ?? [])].filter(([, part]) => part > 0)
}

function sum (entries: Array<[string, number]>): number {
  return entries.reduce((all, [, part]) => all + part, 0)
}

function split (size: bigint, entries: Array<[string, number]>): Charges {
  const total = sum(entries)
  return entries.map(([word, part]) => [word, size * BigInt(Math.round(part / total * PARTS)) / BigInt(PARTS)])
}
