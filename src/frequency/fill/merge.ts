/**
 * Merging popular lists so that no reporter outweighs its share. Each
 * reporter's list is normalised to shares summing to 1 and weighed by what
 * we know of the reporter (`weight`: money settled with it, the accuracy of
 * its past lists), so a reporter, or a group of identities with no history,
 * moves the merged scores by its weight whatever counts it claims. An item
 * needs two independent supporters: two weighty reporters, or one and our
 * own observation of remote demand. The requester count fill values an item
 * by is the lower median of its supporters' counts, so one liar cannot raise
 * it above what an honest supporter says.
 */
import { blockKey } from '../multihash.js'
import type { CID } from 'multiformats/cid'

export interface ReportedItem {
  cid: CID
  requesters: number
  /** Bytes of the whole DAG, if the reporter said */
  dagSize?: bigint
}

export interface ReporterList {
  /** Peer id */
  reporter: string
  /** What the reporter's word is worth, 0 to 1 */
  weight: number
  entries: ReportedItem[]
}

export interface OwnDemand {
  /** Our own count of distinct remote requesters (0: none seen) */
  estimate(multihash: Uint8Array): number
}

export interface MergeOptions {
  /** Supporters an item needs @default 2 */
  minSupport?: number
  /** Least weight a reporter needs to count as a supporter @default 0.1 */
  minWeight?: number
  /** Weight of our own observation @default 1 */
  selfWeight?: number
}

export interface Candidate {
  cid: CID
  /** Merged share-weighted score */
  score: number
  /** Requesters, by the lower median of the supporters' counts */
  requesters: number
  /** Peers that listed it */
  reporters: string[]
  /** Reporters whose word counted as support (weight at least `minWeight`) */
  supporters: string[]
  /** Supporting reporters (weight at least `minWeight`), plus 1 if we saw demand ourselves */
  support: number
  /** The size reporters gave, lowest first; unchecked */
  reportedSizes: bigint[]
  /** How much of the score each supporter's word (and `OWN_DEMAND`, ours) gave */
  contributions: Map<string, number>
}

/** The key of our own observation among a candidate's contributions */
export const OWN_DEMAND = 'own demand'

export const DEFAULT_MIN_SUPPORT = 2
export const DEFAULT_MIN_WEIGHT = 0.1

/** Candidates with enough support, best score first */
export function mergeLists (lists: ReporterList[], own: OwnDemand, options: MergeOptions = {}): Candidate[] {
  const minSupport = options.minSupport ?? DEFAULT_MIN_SUPPORT
  const minWeight = options.minWeight ?? DEFAULT_MIN_WEIGHT
  const selfWeight = options.selfWeight ?? 1
  const merged = new Map<string, { cid: CID, score: number, counts: number[], reporters: Set<string>, supporters: string[], sizes: bigint[], contributions: Map<string, number> }>()

  for (const list of dedupeReporters(lists)) {
    // a reporter's shares sum to 1 however large its counts are
    const entries = dedupeItems(list.entries)
    const total = entries.reduce((sum, entry) => sum + Math.max(0, entry.requesters), 0)

    if (total <= 0 || !(list.weight > 0)) {
      continue
    }

    const weight = Math.min(list.weight, 1)

    for (const entry of entries) {
      const key = blockKey(entry.cid)
      const item = merged.get(key) ?? { cid: entry.cid, score: 0, counts: [], reporters: new Set<string>(), supporters: [], sizes: [], contributions: new Map<string, number>() }
      const contribution = weight * Math.max(0, entry.requesters) / total
      item.score += contribution
      item.reporters.add(list.reporter)

      if (weight >= minWeight) {
        item.contributions.set(list.reporter, contribution)
        item.supporters.push(list.reporter)
        item.counts.push(Math.max(0, entry.requesters))
      }

      if (entry.dagSize != null) {
        item.sizes.push(entry.dagSize)
      }

      merged.set(key, item)
    }
  }

  // our own remote demand: a share of what we saw among the listed items
  const ownCounts = new Map([...merged].map(([key, item]) => [key, own.estimate(item.cid.multihash.bytes)]))
  const ownTotal = [...ownCounts.values()].reduce((sum, count) => sum + count, 0)

  return [...merged].flatMap(([key, item]) => {
    const seen = ownCounts.get(key) ?? 0
    const support = item.supporters.length + (seen > 0 ? 1 : 0)

    if (support < minSupport) {
      return []
    }

    const counts = [...item.counts, ...(seen > 0 ? [seen] : [])].sort((a, b) => a - b)
    const ownContribution = ownTotal > 0 ? selfWeight * seen / ownTotal : 0

    if (ownContribution > 0) {
      item.contributions.set(OWN_DEMAND, ownContribution)
    }

    return [{
      cid: item.cid,
      score: item.score + ownContribution,
      requesters: counts[Math.floor((counts.length - 1) / 2)],
      reporters: [...item.reporters],
      supporters: item.supporters,
      support,
      reportedSizes: item.sizes.sort(compareBigInt),
      contributions: item.contributions
    }]
  }).sort((a, b) => b.score - a.score)
}

/**
 * What each supporter's word (and our own observation) weighs among all the
 * round's, the same as `mergeLists` counts them: fill spends in these
 * proportions at most, so a group of reporters never brings in more than
 * the share its weight gives it, however it lists
 */
export function wordWeights (lists: ReporterList[], options: MergeOptions = {}): Map<string, number> {
  const minWeight = options.minWeight ?? DEFAULT_MIN_WEIGHT
  const weights = new Map<string, number>([[OWN_DEMAND, options.selfWeight ?? 1]])

  for (const list of dedupeReporters(lists)) {
    if (list.weight >= minWeight && list.entries.some(entry => entry.requesters > 0)) {
      weights.set(list.reporter, Math.min(list.weight, 1))
    }
  }

  const total = [...weights.values()].reduce((sum, weight) => sum + weight, 0)
  return new Map([...weights].map(([reporter, weight]) => [reporter, weight / total]))
}

function compareBigInt (a: bigint, b: bigint): number {
  if (a === b) {
    return 0
  }

  return a < b ? -1 : 1
}

/** One list per reporter: a second list from the same peer is ignored */
function dedupeReporters (lists: ReporterList[]): ReporterList[] {
  const seen = new Set<string>()
  return lists.filter(list => !seen.has(list.reporter) && seen.add(list.reporter) != null)
}

/** One entry per item in a list: repeating an item does not add to its share */
function dedupeItems (entries: ReportedItem[]): ReportedItem[] {
  const seen = new Set<string>()
  return entries.filter(entry => {
    const key = blockKey(entry.cid)
    return !seen.has(key) && seen.add(key) != null
  })
}
