/**
 * Fill simulation (FILL.md §6, G5), every figure from one run. A network of
 * nodes sees requests for a catalogue of DAGs with Zipf popularity whose
 * ranks drift each hour; each node counts what it sees with time decay and
 * publishes its top list as `/torplus/popular/1.0.0` does (top 1,000, at
 * least `Frequency.MinRequesters`, counts rounded to two significant bits).
 * A few nodes run fill every hour with the real merge and planning code
 * (`mergeLists`, `wordWeights`, `planFill`, `pays`, `notSellers`) within
 * their share and `Fill.MaxSpend`. The byte hit ratio of what they hold
 * for the next hour's requests is set against the oracle's: the same
 * bytes filled with the next hour's most requested DAGs.
 *
 * Liars are a tenth of the nodes, with as much credibility as anyone (the
 * worst case: they paid their way in), acting as one group: each lists
 * only the group's own DAGs with the largest counts, asks every filler for
 * them so the filler's own tracker supports them, and sells them. Their
 * revenue is what fillers paid for those DAGs.
 *
 * Simplifications: requests land on nodes uniformly; a node's count of an
 * item is its requests (distinct requesters at this rate); every DAG has
 * one provider besides the fillers; fetches never fail; accuracy learning
 * is left out (a liar that asks for its own DAGs passes it).
 *
 * Usage: npm run bench:fill-sim [-- --nodes 200 --dags 1000000 --hours 72 --requests 10000 --fillers 8 --cache 0.001]
 */
import { CID } from 'multiformats/cid'
import { identity } from 'multiformats/hashes/identity'
import { mergeLists, notSellers, pays, planFill, proportional, valuingBudgets, wantedByWords, WordBudgets, wordWeights } from '../src/frequency/fill/index.js'
import { roundDown } from '../src/frequency/popular.js'
import { argument } from './arguments.js'
import type { HeldFill, OwnDemand, ReporterList, ValuedCandidate } from '../src/frequency/fill/index.js'

const NODES = argument('--nodes', 200)
const DAGS = argument('--dags', 1_000_000)
const HOURS = argument('--hours', 72)
/** Requests each node sees per hour */
const REQUESTS = argument('--requests', 10_000)
const FILLERS = argument('--fillers', 8)
/** Each filler's share, as a fraction of the catalogue's bytes */
const CACHE = argument('--cache', 0.001)
const ALPHA = 1.0
const MEDIAN_SIZE = 4 * 1024 * 1024
const SIZE_SIGMA = 1
/** Fraction of the items re-ranked each hour */
const DRIFT = 0.01
const HALF_LIFE_HOURS = 24
/** Hours of demand before the first fill round */
const WARM_UP = 24
const LIST_LIMIT = 1000
const MIN_REQUESTERS = 3
const PEERS = 32
/** Candidates valued per round (FILL_MAX_VALUED) */
const MAX_VALUED = 64
const MAX_DAG_SIZE = 1024 ** 3
/** Items ranked below this never reach a node's list at these rates */
const HOT_RANKS = 30_000
/** The liars' own DAGs: at a hundredth of a round each, enough to fill their weight's part of the share */
const LIAR_FAKES = 40

interface Scenario {
  name: string
  liars: number
  /** Bytes of each of the liars' own DAGs */
  fakeSize: number
  /** Charge bytes to supporters' budgets */
  budgets: boolean
}

interface Outcome {
  ratio: number
  ours: number
  oracle: number
  /** Liars' revenue as a fraction of what fillers spent, and of MaxSpend per round */
  liarSpendShare: number
  liarPerRound: number
  liarMaxRound: number
  seconds: number
}

/** A seeded generator (mulberry32): the same network every run */
function random (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Vose's alias table: a Zipf rank in O(1) */
function zipfSampler (n: number, alpha: number, rand: () => number): { sample(): number, p: Float64Array } {
  const p = new Float64Array(n)
  let total = 0
  for (let rank = 0; rank < n; rank++) {
    p[rank] = 1 / (rank + 1) ** alpha
    total += p[rank]
  }
  const prob = new Float64Array(n)
  const alias = new Int32Array(n)
  const small: number[] = []
  const large: number[] = []
  for (let rank = 0; rank < n; rank++) {
    p[rank] /= total
    prob[rank] = p[rank] * n
    ;(prob[rank] < 1 ? small : large).push(rank)
  }
  while (small.length > 0 && large.length > 0) {
    const less = small.pop() ?? 0
    const more = large.pop() ?? 0
    alias[less] = more
    prob[more] = prob[more] + prob[less] - 1
    ;(prob[more] < 1 ? small : large).push(more)
  }
  for (const rank of [...small, ...large]) {
    prob[rank] = 1
  }
  return {
    p,
    sample: () => {
      const rank = Math.floor(rand() * n)
      return rand() < prob[rank] ? rank : alias[rank]
    }
  }
}

/** The catalogue, its drifting popularity, and what each node has counted */
class Network {
  readonly rand = random(1)
  readonly zipf = zipfSampler(DAGS, ALPHA, this.rand)
  readonly items = DAGS + LIAR_FAKES
  readonly sizes = new Float64Array(this.items)
  readonly itemAt = new Int32Array(DAGS).map((_, rank) => rank)
  readonly rankOf = new Int32Array(DAGS).map((_, item) => item)
  readonly counts = new Float32Array(NODES * this.items)
  /** Items hot at some time in the last days: all a node's list can hold */
  readonly hotUntil = new Map<number, number>()
  readonly shareBytes: number
  /** Fill.MaxSpend: a round may buy a quarter of the share */
  readonly maxSpendBytes: number
  readonly fillers: number[]
  readonly liars: Set<number>
  readonly peersOf: number[][]
  private readonly cids: CID[] = []
  hour = 0
  private lists = new Map<number, ReporterList['entries']>()

  constructor (scenario: Scenario) {
    for (let item = 0; item < DAGS; item++) {
      // log-normal by Box-Muller
      const normal = Math.sqrt(-2 * Math.log(1 - this.rand())) * Math.cos(2 * Math.PI * this.rand())
      this.sizes[item] = Math.round(MEDIAN_SIZE * Math.exp(SIZE_SIGMA * normal))
    }
    const catalogue = this.sizes.subarray(0, DAGS).reduce((sum, size) => sum + size, 0)
    this.shareBytes = Math.floor(catalogue * CACHE)
    this.maxSpendBytes = Math.floor(this.shareBytes / 4)
    this.sizes.fill(scenario.fakeSize === FITTED ? Math.floor(this.maxSpendBytes / 100) : scenario.fakeSize, DAGS)

    const order = Array.from({ length: NODES }, (_, node) => node).sort(() => this.rand() - 0.5)
    this.fillers = order.slice(0, FILLERS)
    this.liars = new Set(order.slice(FILLERS, FILLERS + Math.round(NODES * scenario.liars)))
    this.peersOf = this.fillers.map(filler => order.filter(node => node !== filler).sort(() => this.rand() - 0.5).slice(0, PEERS))
  }

  /** Counts grow by this each hour instead of decaying all of them */
  get inflation (): number {
    return 2 ** (this.hour / HALF_LIFE_HOURS)
  }

  /** One hour of requests, as each node counts them, then the ranks drift */
  advance (): void {
    this.hour++
    this.lists = new Map()
    const { counts, items, itemAt, inflation } = this

    for (let node = 0; node < NODES; node++) {
      const base = node * items
      for (let request = 0; request < REQUESTS; request++) {
        counts[base + itemAt[this.zipf.sample()]] += inflation
      }
    }
    // the liars ask each filler once an hour for each of their own DAGs
    for (const filler of this.fillers) {
      for (let fake = DAGS; fake < items; fake++) {
        counts[filler * items + fake] += this.liars.size * inflation
      }
    }
    for (let rank = 0; rank < HOT_RANKS; rank++) {
      this.hotUntil.set(itemAt[rank], this.hour + 5 * HALF_LIFE_HOURS)
    }
    for (const [item, until] of this.hotUntil) {
      if (until < this.hour) {
        this.hotUntil.delete(item)
      }
    }
    for (let swap = 0; swap < DAGS * DRIFT / 2; swap++) {
      const a = Math.floor(this.rand() * DAGS)
      const b = Math.floor(this.rand() * DAGS)
      const itemA = itemAt[a]
      itemAt[a] = itemAt[b]
      itemAt[b] = itemA
      this.rankOf[itemAt[a]] = a
      this.rankOf[itemAt[b]] = b
    }
  }

  count (node: number, item: number): number {
    return Math.floor(this.counts[node * this.items + item] / this.inflation)
  }

  /** What a node answers on /torplus/popular/1.0.0 this hour */
  listOf (node: number): ReporterList['entries'] {
    let list = this.lists.get(node)
    if (list == null) {
      list = this.liars.has(node)
        ? Array.from({ length: LIAR_FAKES }, (_, index) => ({ cid: this.cidOf(DAGS + index), requesters: roundDown(1_000_000) }))
        : [...this.hotUntil.keys()]
            .map(item => [item, this.count(node, item)])
            .filter(([, count]) => count >= MIN_REQUESTERS)
            .sort((a, b) => b[1] - a[1])
            .slice(0, LIST_LIMIT)
            .map(([item, count]) => ({ cid: this.cidOf(item), requesters: roundDown(count) }))
      this.lists.set(node, list)
    }
    return list
  }

  cidOf (item: number): CID {
    let cid = this.cids[item]
    if (cid == null) {
      const bytes = new Uint8Array(4)
      new DataView(bytes.buffer).setUint32(0, item)
      cid = CID.createV1(0x55, identity.digest(bytes))
      this.cids[item] = cid
    }
    return cid
  }

  /** The byte hit ratio of a set of DAGs for the next hour's requests */
  hitRatio (held: Iterable<number>): number {
    let hit = 0
    for (const item of held) {
      hit += item < DAGS ? this.zipf.p[this.rankOf[item]] * this.sizes[item] : 0
    }
    return hit / this.demand()
  }

  /** The oracle's: the share filled with the next hour's most requested DAGs */
  oracleRatio (): number {
    let room = this.shareBytes
    let best = 0
    for (let rank = 0; rank < DAGS && room > 0; rank++) {
      const size = this.sizes[this.itemAt[rank]]
      if (size <= room) {
        room -= size
        best += this.zipf.p[rank] * size
      }
    }
    return best / this.demand()
  }

  private demand (): number {
    let demand = 0
    for (let rank = 0; rank < DAGS; rank++) {
      demand += this.zipf.p[rank] * this.sizes[this.itemAt[rank]]
    }
    return demand
  }
}

/** A DAG's item number, from its identity CID */
function itemOf (bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(0)
}

/** One filler's round, as FillRunner plays it: bytes bought, and bytes bought from the liars */
function fillRound (network: Network, index: number, held: Map<number, { size: number, score: number }>, budgets: boolean): { bought: number, fromLiars: number } {
  const filler = network.fillers[index]
  const lists: ReporterList[] = network.peersOf[index].map(peer => ({ reporter: String(peer), weight: 1, entries: network.listOf(peer) }))
  // an identity multihash: code, length, then the item's 4 bytes
  const own: OwnDemand = { estimate: multihash => network.count(filler, itemOf(multihash.subarray(2))) }
  const merged = mergeLists(lists, own)
  const listed = new Map(merged.map(candidate => [itemOf(candidate.cid.multihash.digest), candidate]))

  const heldFill: HeldFill[] = [...held].map(([item, record]) => {
    const candidate = listed.get(item)
    record.score = candidate?.score ?? record.score / 2
    return { cid: network.cidOf(item), size: BigInt(record.size), score: record.score, providers: 1, contributions: candidate?.contributions }
  })

  const weights = wordWeights(lists)
  const valuing = budgets ? valuingBudgets(weights, merged.filter(candidate => !held.has(itemOf(candidate.cid.multihash.digest))), BigInt(network.shareBytes) * 2n) : new WordBudgets()
  const valued: ValuedCandidate[] = []
  let valuedBytes = 0
  for (const candidate of merged) {
    const item = itemOf(candidate.cid.multihash.digest)
    const size = network.sizes[item]
    if (valued.length >= MAX_VALUED || valuedBytes > network.shareBytes * 2) {
      break
    }
    if (valuing.spent(candidate)) {
      continue
    }
    // liars sell their own, except those whose word the item needs; anything else has its one provider
    const sellers = network.liars.size - [...notSellers(candidate, 2)].filter(peer => network.liars.has(Number(peer))).length
    if (held.has(item) || (item >= DAGS && sellers === 0) || size > MAX_DAG_SIZE || size > network.shareBytes) {
      continue
    }
    const value = { cid: candidate.cid, score: candidate.score, requesters: candidate.requesters, providers: 1, size: BigInt(size), contributions: candidate.contributions }
    if (pays(value, { buyPrice: 1n, sellPrice: 1n })) {
      valued.push(value)
      valuing.add(proportional(value))
      valuedBytes += size
    }
  }

  const plan = planFill({
    candidates: valued,
    held: heldFill,
    shareBytes: BigInt(network.shareBytes),
    freeBytes: BigInt(network.shareBytes),
    budgets: budgets ? weights : undefined,
    wanted: wantedByWords(merged, valued, heldFill),
    roundBytes: budgets ? BigInt(network.maxSpendBytes) : undefined
  })
  plan.evict.forEach(item => held.delete(itemOf(item.cid.multihash.digest)))

  let bought = 0
  let fromLiars = 0
  for (const item of plan.fetch) {
    // past MaxSpend the runner stops in the middle of a DAG, which it drops
    const size = Number(item.size)
    const bytes = Math.min(size, network.maxSpendBytes - bought)
    bought += bytes
    fromLiars += itemOf(item.cid.multihash.digest) >= DAGS ? bytes : 0
    if (bytes < size) {
      break
    }
    held.set(itemOf(item.cid.multihash.digest), { size, score: item.score })
  }
  return { bought, fromLiars }
}

function simulate (scenario: Scenario): Outcome {
  const started = Date.now()
  const network = new Network(scenario)
  const held = network.fillers.map(() => new Map<number, { size: number, score: number }>())
  const measured = HOURS - WARM_UP - 24
  let ours = 0
  let oracle = 0
  let spent = 0
  let liarSpent = 0
  let liarMaxRound = 0
  let rounds = 0

  while (network.hour < HOURS) {
    network.advance()
    if (network.hour <= WARM_UP) {
      continue
    }
    for (const index of network.fillers.keys()) {
      const round = fillRound(network, index, held[index], scenario.budgets)
      spent += round.bought
      liarSpent += round.fromLiars
      liarMaxRound = Math.max(liarMaxRound, round.fromLiars / network.maxSpendBytes)
      rounds++
    }
    // the byte hit ratio for the next hour, once fill has had a day
    if (network.hour > WARM_UP + 24) {
      ours += held.reduce((sum, mine) => sum + network.hitRatio(mine.keys()), 0) / held.length / measured
      oracle += network.oracleRatio() / measured
    }
  }

  return {
    ratio: ours / oracle,
    ours,
    oracle,
    liarSpendShare: spent > 0 ? liarSpent / spent : 0,
    liarPerRound: liarSpent / rounds / network.maxSpendBytes,
    liarMaxRound,
    seconds: (Date.now() - started) / 1000
  }
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`
/** Liars' DAGs sized to a hundredth of a round, so their weight's part of a round (a tenth) buys several, as a liar who knows the rules would */
const FITTED = 0
const scenarios: Scenario[] = [
  { name: 'honest, no word budgets', liars: 0, fakeSize: 0, budgets: false },
  { name: 'honest', liars: 0, fakeSize: 0, budgets: true },
  { name: '10% liars, DAGs of a hundredth of a round, no word budgets', liars: 0.1, fakeSize: FITTED, budgets: false },
  { name: '10% liars, 1 GiB DAGs', liars: 0.1, fakeSize: MAX_DAG_SIZE, budgets: true },
  { name: '10% liars, DAGs of a hundredth of a round', liars: 0.1, fakeSize: FITTED, budgets: true }
]

process.stdout.write(`fill simulation: ${NODES} nodes, ${DAGS} DAGs, Zipf(${ALPHA}), log-normal sizes (median 4 MiB, sigma ${SIZE_SIGMA}), ${DRIFT * 100}%/h rank drift, ${REQUESTS} requests per node per hour, ${FILLERS} fillers with ${CACHE * 100}% of the catalogue each, ${HOURS} h (hit ratio over the last ${HOURS - WARM_UP - 24} h)\n`)
for (const scenario of scenarios) {
  const outcome = simulate(scenario)
  process.stdout.write(`G5 ${scenario.name}: byte hit ratio ${percent(outcome.ours)} vs oracle ${percent(outcome.oracle)} = ${percent(outcome.ratio)} of the oracle's; liars' revenue ${percent(outcome.liarSpendShare)} of all fill spent, ${percent(outcome.liarPerRound)} of Fill.MaxSpend per round (at most ${percent(outcome.liarMaxRound)}) [${outcome.seconds.toFixed(0)} s]; target ≥ ${scenario.liars > 0 ? '75' : '85'}% of the oracle's${scenario.liars > 0 ? ', liars ≤ 10% of Fill.MaxSpend' : ''}\n`)
}
