/**
 * One fill round: ask peers for their popular lists, merge them so no
 * reporter outweighs its share, value the best candidates (their live
 * providers, less the reporters whose word the item needs, and their size,
 * read off their root), plan what fits in the share of the quota, let go
 * what the plan evicts, then fetch whole DAGs best first from those
 * providers, paying through the node's payer, and pin and provide each. A round stops
 * when its budget is spent. One round runs at a time.
 */
import { anySignal } from 'any-signal'
import { CID } from 'multiformats/cid'
import { CustomProgressEvent } from 'progress-events'
import { POPULAR_PEER_INTERVAL_S } from '../constants.js'
import { FillRunningError } from '../errors.js'
import { blockKey } from '../multihash.js'
import { ACCURACY_DELAY, DEFAULT_FILL_HEADROOM, DEFAULT_FILL_HYSTERESIS, DEFAULT_FILL_PEERS, DEFAULT_FILL_SHARE, DEFAULT_MAX_DAG_SIZE, FILL_ASK_CONCURRENCY, FILL_MAX_VALUED, FILL_PIN_NAME, FILL_PROVIDER_TIMEOUT, FILL_PROVIDERS, FILL_SIZE_SLACK, FULL_CREDIBILITY_STROOPS } from './constants.js'
import { DEFAULT_MIN_SUPPORT, mergeLists, wordWeights } from './merge.js'
import { density, pays, planFill } from './plan.js'
import { FillRecords } from './records.js'
import { proportional, valuingBudgets, wantedByWords } from './words.js'
import type { Candidate, OwnDemand, ReporterList } from './merge.js'
import type { HeldFill, ValuedCandidate } from './plan.js'
import type { FillNetwork, FillFetcher, FillSpending, FillStorage } from './ports.js'
import type { FillRoundRecord } from './records.js'
import type { PopularList } from '../popular.js'
import type { AbortOptions, Counter, CounterGroup, Logger, Metrics } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

const MIB = 1024n * 1024n

export interface FillInit {
  /** @default 0.2 */
  share?: number
  /** @default 0.05 */
  headroom?: number
  /** @default 32 */
  peers?: number
  /** @default 1 GiB */
  maxDagSize?: bigint
  /** Stroops per MiB we pay at most */
  maxPricePerMiB: bigint
  /** Stroops per MiB we charge */
  sellPricePerMiB: bigint
  /** Stroops a round may spend */
  maxSpend: bigint
  /** @default 2 */
  minSupport?: number
  /** @default 1.5 */
  hysteresis?: number
}

export interface FillComponents {
  network: FillNetwork
  storage: FillStorage
  fetcher: FillFetcher
  spending: FillSpending
  own: OwnDemand
  datastore: Datastore
  log: Logger
  metrics?: Metrics
}

export type FillProgressEvents =
  ProgressEvent<'fill:collected', { asked: number, lists: number }> |
  ProgressEvent<'fill:planned', { dags: number, bytes: bigint, evict: number }> |
  ProgressEvent<'fill:evicted', { cid: CID, bytes: bigint }> |
  ProgressEvent<'fill:dag', { cid: CID, size: bigint, index: number, dags: number }> |
  ProgressEvent<'fill:progress', { bytes: bigint, totalBytes: bigint, dags: number, totalDags: number, spent: bigint }> |
  ProgressEvent<'fill:dag-done', { cid: CID, bytes: bigint, spent: bigint }> |
  ProgressEvent<'fill:dag-failed', { cid: CID, reason: string }>

export interface FillOptions extends AbortOptions, ProgressOptions<FillProgressEvents> {
  /** Fraction of StorageMax, in place of the configured share */
  share?: number
  /** Plan, buy nothing */
  dryRun?: boolean
  /** Stroops the round may spend, in place of the configured budget */
  maxSpend?: bigint
}

/** What a round did (or, dry, would do) */
export interface FillRound extends FillRoundRecord {
  planned: Array<{ cid: CID, size: bigint, score: number, requesters: number, providers: number }>
}

export class FillRunner {
  private readonly components: FillComponents
  private readonly init: Required<FillInit>
  readonly records: FillRecords
  /** The last list of each reporter: peers answer one request per ten minutes */
  private readonly lists = new Map<string, { list: PopularList, at: number }>()
  private running = false
  private readonly rounds?: Counter
  private readonly dags?: CounterGroup
  private readonly bytes?: Counter
  private readonly spent?: Counter

  constructor (components: FillComponents, init: FillInit) {
    this.components = components
    this.rounds = components.metrics?.registerCounter('torplus_fill_rounds_total', { help: 'Fill rounds run (dry runs included)' })
    this.dags = components.metrics?.registerCounterGroup('torplus_fill_dags_total', { label: 'outcome', help: 'DAGs fill fetched, failed to fetch, or let go' })
    this.bytes = components.metrics?.registerCounter('torplus_fill_bytes_total', { help: 'Bytes of DAGs fill fetched' })
    this.spent = components.metrics?.registerCounter('torplus_fill_spent_stroops_total', { help: 'Stroops paid while fill fetched' })
    this.init = {
      share: init.share ?? DEFAULT_FILL_SHARE,
      headroom: init.headroom ?? DEFAULT_FILL_HEADROOM,
      peers: init.peers ?? DEFAULT_FILL_PEERS,
      maxDagSize: init.maxDagSize ?? DEFAULT_MAX_DAG_SIZE,
      maxPricePerMiB: init.maxPricePerMiB,
      sellPricePerMiB: init.sellPricePerMiB,
      maxSpend: init.maxSpend,
      minSupport: init.minSupport ?? DEFAULT_MIN_SUPPORT,
      hysteresis: init.hysteresis ?? DEFAULT_FILL_HYSTERESIS
    }
    this.records = new FillRecords(components.datastore)
  }

  /** Whether a round is under way */
  get busy (): boolean {
    return this.running
  }

  async run (options: FillOptions = {}): Promise<FillRound> {
    if (this.running) {
      throw new FillRunningError()
    }

    this.running = true

    try {
      return await this.round(options)
    } finally {
      this.running = false
    }
  }

  private async round (options: FillOptions): Promise<FillRound> {
    const { log } = this.components
    const startedAt = Date.now()
    const dryRun = options.dryRun === true
    const share = options.share ?? this.init.share
    const maxSpend = options.maxSpend ?? this.init.maxSpend
    // our progress events only: what libp2p and Helia report on the way (dials, pins) is not the caller's
    const quiet: AbortOptions = { signal: options.signal }
    await this.learn(startedAt, quiet)

    const { lists, asked } = await this.collect(quiet)
    options.onProgress?.(new CustomProgressEvent('fill:collected', { asked, lists: lists.length }))

    const merged = mergeLists(lists, this.components.own, { minSupport: this.init.minSupport })
    const records = await this.records.dags(quiet)
    const heldCids = records.map(record => CID.parse(record.cid))
    const filled = new Map(records.map((record, i) => [blockKey(heldCids[i]), record]))
    const candidates: Candidate[] = []
    const heldContributions = new Map<string, Map<string, number>>()

    for (const candidate of merged) {
      const record = filled.get(blockKey(candidate.cid))

      if (record != null) {
        // held by fill: re-scored as demand stands now
        record.score = candidate.score
        heldContributions.set(record.cid, candidate.contributions)
      } else if (!await this.components.storage.pinned(candidate.cid, quiet)) {
        candidates.push(candidate)
      }
    }

    const { used, max } = this.components.storage.stat()
    const shareBytes = BigInt(Math.floor(Number(max) * share))
    const freeBytes = max - used - BigInt(Math.ceil(Number(max) * this.init.headroom))
    // a held DAG no list names any more loses half its score each round
    const listed = new Set(merged.map(candidate => blockKey(candidate.cid)))
    records.forEach((record, i) => { if (!listed.has(blockKey(heldCids[i]))) record.score /= 2 })
    const held: HeldFill[] = records.map((record, i) => ({ cid: heldCids[i], size: record.size, score: record.score, providers: record.providers, contributions: heldContributions.get(record.cid) }))
    const weights = wordWeights(lists)
    const { valued, passedOver } = await this.value(candidates, shareBytes, weights, quiet)
    const checked = valued.map(item => item.valued)
    // what MaxSpend buys at the most we expect to pay: a DAG it cannot pay for in full is not started
    const roundBytes = this.init.maxPricePerMiB > 0n ? maxSpend * MIB / this.init.maxPricePerMiB : undefined
    const plan = planFill({
      candidates: checked,
      held,
      shareBytes,
      freeBytes,
      hysteresis: this.init.hysteresis,
      budgets: weights,
      wanted: wantedByWords(merged, checked, held, passedOver),
      roundBytes
    })
    const reportersOf = new Map(valued.map(item => [item.valued.cid.toString(), item.reporters]))
    const providersOf = new Map(valued.map(item => [item.valued.cid.toString(), item.providers]))
    const plannedBytes = plan.fetch.reduce((sum, item) => sum + item.size, 0n)
    options.onProgress?.(new CustomProgressEvent('fill:planned', { dags: plan.fetch.length, bytes: plannedBytes, evict: plan.evict.length }))

    const result: FillRound = {
      startedAt,
      endedAt: startedAt,
      dryRun,
      asked,
      lists: lists.length,
      candidates: candidates.length,
      planned: plan.fetch.map(item => ({ cid: item.cid, size: item.size, score: item.score, requesters: item.requesters, providers: item.providers })),
      fetched: [],
      failed: [],
      evicted: [],
      bytes: 0n,
      spent: 0n
    }

    if (!dryRun) {
      for (const item of plan.evict) {
        const bytes = await this.components.fetcher.unpin(item.cid, quiet)
        await this.records.deleteDag(item.cid.toString(), quiet)
        result.evicted.push({ cid: item.cid.toString(), size: bytes })
        options.onProgress?.(new CustomProgressEvent('fill:evicted', { cid: item.cid, bytes }))
      }

      await this.fetchAll(plan.fetch, { reportersOf, providersOf, maxSpend, plannedBytes, result }, options)
      // items re-scored this round keep their new score
      for (const record of records) {
        if (!plan.evict.some(item => item.cid.toString() === record.cid)) {
          await this.records.putDag(record, quiet)
        }
      }
    }

    result.endedAt = Date.now()
    await this.records.putRound(result, quiet)
    this.rounds?.increment()
    this.dags?.increment({ fetched: result.fetched.length, failed: result.failed.length, evicted: result.evicted.length })
    this.bytes?.increment(Number(result.bytes))
    this.spent?.increment(Number(result.spent))
    log('fill round: asked %d, %d lists, %d candidates, %d planned, %d fetched (%d bytes, %d stroops), %d evicted', asked, lists.length, candidates.length, plan.fetch.length, result.fetched.length, result.bytes, result.spent, result.evicted.length)
    return result
  }

  /** Ask up to `peers` peers, a few at a time; those that fail are left out */
  private async collect (options: AbortOptions): Promise<{ lists: ReporterList[], asked: number }> {
    const peers = (await this.components.network.reporters(options)).slice(0, this.init.peers)
    const lists: ReporterList[] = []
    let next = 0

    const worker = async (): Promise<void> => {
      while (next < peers.length) {
        options.signal?.throwIfAborted()
        const peer = peers[next++]

        try {
          const list = await this.listOf(peer, options)
          const accuracy = (await this.records.reporter(peer, options)).accuracy
          lists.push({ reporter: peer, weight: credibility(this.components.network.moneyWith(peer)) * accuracy, entries: list.entries })
        } catch (err: any) {
          this.components.log('no list from %s - %s', peer, err.message)
        }
      }
    }

    await Promise.all(Array.from({ length: FILL_ASK_CONCURRENCY }, worker))
    return { lists, asked: peers.length }
  }

  /** A peer's list: the one we have while it is fresh, else asked for, sent again only if newer */
  private async listOf (peer: string, options: AbortOptions): Promise<PopularList> {
    const now = Date.now()
    const known = this.lists.get(peer)

    if (known != null && now - known.at < POPULAR_PEER_INTERVAL_S * 1000) {
      return known.list
    }

    const asked = await this.components.network.ask(peer, { ...options, ifNewerThan: known?.list.snapshotTime })
    const list = asked.notModified && known != null ? known.list : asked
    this.lists.set(peer, { list, at: now })

    // lists of peers that are gone are not kept
    for (const [other, entry] of this.lists) {
      if (now - entry.at > 2 * POPULAR_PEER_INTERVAL_S * 1000) {
        this.lists.delete(other)
      }
    }

    return list
  }

  /**
   * Providers and sizes of the best candidates, up to about twice what the
   * share has room for: an item only its needed supporters provide, one whose root
   * cannot be read, one bigger than MaxDagSize or the share, and one that does not pay
   * are left out, and one whose supporters have had their weight's part of
   * the valuing is passed over before it costs a search
   */
  private async value (candidates: Candidate[], room: bigint, weights: Map<string, number>, options: AbortOptions): Promise<{ valued: Array<{ valued: ValuedCandidate, reporters: Set<string>, providers: string[] }>, passedOver: Candidate[] }> {
    const valued: Array<{ valued: ValuedCandidate, reporters: Set<string>, providers: string[] }> = []
    const passedOver: Candidate[] = []
    let bytes = 0n
    let tried = 0

    const words = valuingBudgets(weights, candidates, room * 2n)

    for (const candidate of candidates) {
      if (tried >= FILL_MAX_VALUED || bytes > room * 2n) {
        break
      }

      if (words.spent(candidate)) {
        continue
      }

      tried++
      const reporters = new Set(candidate.reporters)
      const sellers = notSellers(candidate, this.init.minSupport)

      try {
        const signal = anySignal([options.signal, AbortSignal.timeout(FILL_PROVIDER_TIMEOUT)])
        const providers = await this.components.network.providers(candidate.cid, { ...options, signal, exclude: sellers, limit: FILL_PROVIDERS })
          .finally(() => { signal.clear() })

        if (providers.length === 0) {
          passedOver.push(candidate)
          continue
        }

        const root = await this.components.fetcher.root(candidate.cid, { ...options, providers })

        // one that could never fit is not valued, nor counted against the round's bytes
        if (root == null || root.size > this.init.maxDagSize || root.size > room) {
          passedOver.push(candidate)
          continue
        }

        const item = { cid: root.cid, score: candidate.score, requesters: candidate.requesters, providers: providers.length, size: root.size, contributions: candidate.contributions }

        if (!pays(item, { buyPrice: this.init.maxPricePerMiB, sellPrice: this.init.sellPricePerMiB })) {
          passedOver.push(candidate)
          continue
        }

        valued.push({ valued: item, reporters, providers })
        words.add(proportional(item))
        bytes += root.size
      } catch (err: any) {
        this.components.log('could not value %c - %s', candidate.cid, err.message)
      }
    }

    return { valued: valued.sort((a, b) => density(b.valued) - density(a.valued)), passedOver }
  }

  private async fetchAll (plan: ValuedCandidate[], context: { reportersOf: Map<string, Set<string>>, providersOf: Map<string, string[]>, maxSpend: bigint, plannedBytes: bigint, result: FillRound }, options: FillOptions): Promise<void> {
    const { fetcher, spending } = this.components
    const { result } = context
    const spentAtStart = spending.spent()

    for (const [index, item] of plan.entries()) {
      if (spending.spent() - spentAtStart >= context.maxSpend) {
        result.stopped = 'Fill.MaxSpend reached'
        break
      }

      options.onProgress?.(new CustomProgressEvent('fill:dag', { cid: item.cid, size: item.size, index, dags: plan.length }))
      const stop = new AbortController()
      const signal = anySignal([options.signal, stop.signal])
      const before = spending.spent()
      let bytes = 0n

      try {
        await fetcher.fetch(item.cid, {
          signal,
          providers: context.providersOf.get(item.cid.toString()) ?? [],
          maxBytes: item.size + item.size * BigInt(Math.round(FILL_SIZE_SLACK * 1000)) / 1000n + MIB,
          onBlock: (size) => {
            bytes += BigInt(size)
            const spent = spending.spent() - spentAtStart
            options.onProgress?.(new CustomProgressEvent('fill:progress', { bytes: result.bytes + bytes, totalBytes: context.plannedBytes, dags: result.fetched.length, totalDags: plan.length, spent }))

            if (spent >= context.maxSpend) {
              stop.abort(new Error('Fill.MaxSpend reached'))
            }
          }
        })

        const spent = spending.spent() - before
        const reporters = [...(context.reportersOf.get(item.cid.toString()) ?? [])]
        await fetcher.pin(item.cid, { name: FILL_PIN_NAME, fill: true, score: item.score, filledAt: Date.now() }, { signal: options.signal })
        fetcher.provide(item.cid)
        await this.records.putDag({ cid: item.cid.toString(), size: bytes, score: item.score, providers: item.providers, reporters, filledAt: Date.now(), spent }, { signal: options.signal })
        result.fetched.push({ cid: item.cid.toString(), size: bytes, spent })
        result.bytes += bytes
        options.onProgress?.(new CustomProgressEvent('fill:dag-done', { cid: item.cid, bytes, spent }))
      } catch (err: any) {
        options.signal?.throwIfAborted()
        const reason = stop.signal.aborted ? String(stop.signal.reason?.message ?? 'stopped') : err.message
        result.failed.push({ cid: item.cid.toString(), reason })
        options.onProgress?.(new CustomProgressEvent('fill:dag-failed', { cid: item.cid, reason }))

        if (stop.signal.aborted) {
          result.stopped = reason
          break
        }
      } finally {
        signal.clear()
        result.spent = spending.spent() - spentAtStart
      }
    }

    await this.remember(plan, context.reportersOf, result, { signal: options.signal })
  }

  /** Note, for each reporter, which of its items were bought this round */
  private async remember (plan: ValuedCandidate[], reportersOf: Map<string, Set<string>>, result: FillRound, options: AbortOptions): Promise<void> {
    const bought = new Set(result.fetched.map(item => item.cid))
    const byReporter = new Map<string, string[]>()

    for (const item of plan) {
      if (!bought.has(item.cid.toString())) {
        continue
      }

      for (const reporter of reportersOf.get(item.cid.toString()) ?? []) {
        byReporter.set(reporter, [...(byReporter.get(reporter) ?? []), item.cid.toString()])
      }
    }

    for (const [reporter, items] of byReporter) {
      const record = await this.records.reporter(reporter, options)
      record.pending.push({ at: result.startedAt, items })
      await this.records.putReporter(reporter, record, options)
    }
  }

  /**
   * A reporter's accuracy follows what became of its items: once a round is
   * old enough, the share of the items we bought on its word that we have
   * since seen wanted ourselves doubles its accuracy (all of them) or halves
   * it (none)
   */
  private async learn (now: number, options: AbortOptions): Promise<void> {
    for (const [peer, record] of await this.records.reporters(options)) {
      const due = record.pending.filter(round => now - round.at >= ACCURACY_DELAY)

      if (due.length === 0) {
        continue
      }

      const items = due.flatMap(round => round.items)
      const wanted = items.filter(cid => this.components.own.estimate(CID.parse(cid).multihash.bytes) >= 1).length
      const fraction = items.length === 0 ? 0.5 : wanted / items.length
      record.accuracy = Math.min(1, Math.max(0.05, record.accuracy * 2 ** (2 * fraction - 1)))
      record.pending = record.pending.filter(round => now - round.at < ACCURACY_DELAY)
      await this.records.putReporter(peer, record, options)
    }
  }
}

/**
 * Who may not sell us an item: a reporter whose word the item needs to
 * qualify. An item that stands without any one supporter's word (one more
 * supporter than required) may be bought from any of its providers, as
 * honest providers list what they serve; otherwise none of its supporters
 * is paid for it, so no peer gains by listing what it sells
 */
export function notSellers (candidate: Pick<Candidate, 'support' | 'supporters'>, minSupport: number): Set<string> {
  return candidate.support - 1 >= minSupport ? new Set() : new Set(candidate.supporters)
}

/** What money exchanged with a peer makes its word worth: 0.05 with none, 1 from one unit of the asset */
export function credibility (stroops: bigint): number {
  const scale = Math.log10(1 + Number(stroops)) / Math.log10(1 + FULL_CREDIBILITY_STROOPS)
  return 0.05 + 0.95 * Math.min(1, scale)
}
