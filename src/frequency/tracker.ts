/**
 * The popularity tracker: counts, per content root, how many distinct
 * remote peers asked for it, from the wants bitswap receives and the
 * GET_PROVIDERS requests the DHT receives, and, kept apart and never
 * published, what the node's own users asked the gateway and the RPC API
 * for. A peer counts once per item per epoch and for at most `perPeerCap`
 * new items per epoch; a peer that paid us weighs more. Counts live in a
 * count-min sketch (flat memory at any number of CIDs) and the heaviest in
 * a top-K; all are halved every half-life, and kept in a snapshot.
 *
 * Which wants are roots: a want for a CID linked from a block we hold is an
 * inner block of a DAG we hold; a raw-codec want from a peer that wanted a
 * structured block moments ago is a leaf of its walk; either counts as
 * volume only. Everything else may be a root: a fill that fetches an inner
 * node by mistake covers it with its DAG.
 */
import { randomBytes } from 'node:crypto'
import { decode as decodeDagPb } from '@ipld/dag-pb'
import { serviceCapabilities } from '@libp2p/interface'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { BloomFilter } from './bloom.js'
import { CHILD_FILTER_BITS, CHILD_PROBES, COUNTS_PER_COUNTER_BEFORE_HALVING, DEFAULT_EPOCH, DEFAULT_HALF_LIFE, DEFAULT_PER_PEER_CAP, DEFAULT_SKETCH_DEPTH, DEFAULT_SKETCH_WIDTH, DEFAULT_SNAPSHOT_INTERVAL, DEFAULT_TOP_K, LOCAL_TOP_K, MAX_TRACKED_PEERS, PAIR_BITS_PER_COUNTER, PAIR_PROBES, PAYER_WEIGHT, TICK_INTERVAL, WALK_WINDOW } from './constants.js'
import { hash32, mix32 } from './hash.js'
import { DAG_PB_CODEC, isMultihash, RAW_CODEC, readCid } from './multihash.js'
import { CountMinSketch } from './sketch.js'
import { decodeSnapshot, encodeSnapshot, readSnapshot, writeSnapshot } from './snapshot.js'
import { ROOT_CONFIRMED, TopK } from './top-k.js'
import type { TrackerState } from './snapshot.js'
import type { TopKEntry } from './top-k.js'
import type { Want, WantObserver } from '../bitswap/index.js'
import type { ProviderLookupObserver } from '../routing/index.js'
import type { ComponentLogger, CounterGroup, Logger, Metrics, PeerId, Startable } from '@libp2p/interface'

const utf8 = new TextEncoder()

/** Where demand was seen */
export const SOURCE_BITSWAP = 1
export const SOURCE_DHT = 2
export const SOURCE_LOCAL = 4

export interface FrequencyTrackerInit {
  /**
   * The directory of the snapshot; without one the tracker lives in memory only
   */
  path?: string

  /** @default 50_000 */
  topK?: number

  /** Counters per sketch row, a power of two @default 2_097_152 */
  sketchWidth?: number

  /** @default 4 */
  sketchDepth?: number

  /** Milliseconds after which counts are halved @default 86_400_000 */
  halfLife?: number

  /** Milliseconds in which a peer counts once per item @default 3_600_000 */
  epoch?: number

  /** New items a peer may count for per epoch @default 1024 */
  perPeerCap?: number

  /** Milliseconds between snapshots @default 600_000 */
  snapshotInterval?: number

  /**
   * Weigh requests of peers that paid us (the node's `payments` component)
   *
   * @default false
   */
  weighPayers?: boolean

  /** The blockstore: the links of blocks stored mark inner blocks */
  blocks?: BlockSource

  /**
   * Multihashes of DHT keys that name no content, such as the key relays
   * are found under: every node looks them up, so counted they would top
   * every list and take a share of every fill
   */
  notContent?: Uint8Array[]
}

/** Where the blocks we store can be watched */
export interface BlockSource {
  /** Call `listener` with each block stored; returns what stops it */
  onPut(listener: (cid: CID, bytes: Uint8Array) => void): () => void
}

/** Whether a peer paid us: the payment service answers */
export interface PayerCheck {
  hasPaid(peer: string): boolean
}

export interface FrequencyTrackerComponents {
  logger: ComponentLogger
  metrics?: Metrics
  /** Read only with `weighPayers` */
  payments?: PayerCheck
}

/** A tracked item, as `top` gives it */
export interface PopularItem {
  /** CIDv1 with the codec last seen (raw when only the DHT key was seen) */
  cid: CID
  /** Distinct requesters (decayed, weighted) */
  requesters: number
  /** Seen as a root: looked up in the DHT, or asked for locally */
  rootConfirmed: boolean
  /** Sources that saw it */
  sources: Array<'bitswap' | 'dht' | 'local'>
  firstSeen: number
  lastSeen: number
}

export interface TopOptions {
  /** @default 10 */
  limit?: number
  /** Local demand instead of remote */
  local?: boolean
  /** Leave out remote items with fewer requesters */
  minRequesters?: number
}

interface PeerState {
  /** The peer's hash, for its (peer, item) pairs */
  hash: number
  /** New pairs this epoch */
  pairs: number
  /** When it last wanted a structured (non-raw) block */
  structuredAt: number
}

type Kind = 'bitswap_root' | 'bitswap_inner' | 'bitswap_leaf' | 'dht_root' | 'local'
type DropReason = 'repeat' | 'cap' | 'peers' | 'malformed' | 'collision' | 'not_content'

export class FrequencyTracker implements Startable, WantObserver, ProviderLookupObserver {
  readonly [Symbol.toStringTag] = 'torplus:frequency'
  readonly [serviceCapabilities] = ['@torplus/frequency']
  private readonly components: FrequencyTrackerComponents
  private readonly init: Required<Omit<FrequencyTrackerInit, 'path' | 'blocks' | 'notContent'>> & Pick<FrequencyTrackerInit, 'path' | 'blocks'>
  private readonly notContent: Set<string>
  private readonly log: Logger
  private readonly observed?: CounterGroup
  private readonly dropped?: CounterGroup
  private state?: {
    seeds: Uint32Array
    sketch: CountMinSketch
    remote: TopK
    local: TopK
    /** (peer, item) pairs counted this epoch */
    pairs: BloomFilter
    children: BloomFilter
    peers: Map<string, PeerState>
    lastHalving: number
    epochStart: number
    increments: number
    lastSnapshot: number
  }

  private timer?: ReturnType<typeof setInterval>
  private unwatchBlocks?: () => void
  private saving?: Promise<void>

  constructor (components: FrequencyTrackerComponents, init: FrequencyTrackerInit = {}) {
    this.components = components
    this.init = {
      path: init.path,
      blocks: init.blocks,
      topK: init.topK ?? DEFAULT_TOP_K,
      sketchWidth: init.sketchWidth ?? DEFAULT_SKETCH_WIDTH,
      sketchDepth: init.sketchDepth ?? DEFAULT_SKETCH_DEPTH,
      halfLife: init.halfLife ?? DEFAULT_HALF_LIFE,
      epoch: init.epoch ?? DEFAULT_EPOCH,
      perPeerCap: init.perPeerCap ?? DEFAULT_PER_PEER_CAP,
      snapshotInterval: init.snapshotInterval ?? DEFAULT_SNAPSHOT_INTERVAL,
      weighPayers: init.weighPayers === true
    }
    this.notContent = new Set((init.notContent ?? []).map(key => uint8ArrayToString(key, 'base64')))
    this.log = components.logger.forComponent('torplus:frequency')
    this.observed = components.metrics?.registerCounterGroup('torplus_frequency_observations_total', {
      label: 'kind',
      help: 'Requests for content seen, by source and what the item was taken for (root, inner block, leaf of a walk, local)'
    })
    this.dropped = components.metrics?.registerCounterGroup('torplus_frequency_dropped_total', {
      label: 'reason',
      help: 'Requests not counted: a peer asking again within its epoch, over its cap, too many peers, a malformed CID, a hash collision, a key that names no content'
    })
    components.metrics?.registerMetric('torplus_frequency_topk_entries', {
      help: 'Items with exact counts in the top-K',
      calculate: () => this.state?.remote.length ?? 0
    })
    components.metrics?.registerMetric('torplus_frequency_topk_min', {
      help: 'Smallest count in the top-K once it is full: what a new item must beat',
      calculate: () => this.state?.remote.min ?? 0
    })
  }

  isStarted (): boolean {
    return this.state != null
  }

  /** Milliseconds after which counts are halved */
  get halfLife (): number {
    return this.init.halfLife
  }

  async start (): Promise<void> {
    if (this.state != null) {
      return
    }

    const saved = await this.load()
    const now = Date.now()
    const { sketchWidth, sketchDepth } = this.init
    const fits = saved != null && saved.sketchWidth === sketchWidth && saved.sketchDepth === sketchDepth

    if (saved != null && !fits) {
      this.log('the snapshot\'s sketch is %dx%d, the config says %dx%d: its counts are kept in the top-K only', saved.sketchWidth, saved.sketchDepth, sketchWidth, sketchDepth)
    }

    const state = {
      seeds: saved?.seeds ?? new Uint32Array(randomBytes(16).buffer),
      sketch: new CountMinSketch(sketchWidth, sketchDepth, fits ? saved.sketch : undefined),
      remote: new TopK(this.init.topK),
      local: new TopK(LOCAL_TOP_K),
      pairs: new BloomFilter(sketchWidth * PAIR_BITS_PER_COUNTER, PAIR_PROBES),
      children: new BloomFilter(CHILD_FILTER_BITS, CHILD_PROBES, saved?.children.length === CHILD_FILTER_BITS / 32 ? saved.children : undefined),
      peers: new Map<string, PeerState>(),
      lastHalving: saved?.lastHalving ?? now,
      epochStart: now,
      increments: fits ? saved.increments : 0,
      lastSnapshot: now
    }
    this.state = state

    for (const entry of saved?.remote ?? []) {
      state.remote.restore(this.key(entry.multihash), entry)
    }

    for (const entry of saved?.local ?? []) {
      state.local.restore(this.key(entry.multihash), entry)
    }

    // time passed while the node was down counts as it would have
    this.decay(now)
    this.unwatchBlocks = this.init.blocks?.onPut((cid, bytes) => { this.observeBlock(cid, bytes) })
    this.timer = setInterval(() => { this.tick() }, Math.min(TICK_INTERVAL, this.init.epoch, this.init.snapshotInterval))
    this.timer.unref?.()
  }

  async stop (): Promise<void> {
    if (this.state == null) {
      return
    }

    clearInterval(this.timer)
    this.unwatchBlocks?.()
    await this.saving
    await this.save()
    this.state = undefined
  }

  observeWants (peer: PeerId, wants: Want[]): void {
    const state = this.state

    if (state == null) {
      return
    }

    const now = Date.now()
    const requester = this.peerState(peer.toString(), now)
    const weight = this.weight(peer)
    const kinds = { bitswap_root: 0, bitswap_inner: 0, bitswap_leaf: 0 }
    const drops: Partial<Record<DropReason, number>> = {}

    for (const want of wants) {
      const content = readCid(want.cid)

      if (content == null) {
        drops.malformed = (drops.malformed ?? 0) + 1
        continue
      }

      const h1 = hash32(content.multihash, state.seeds[0])
      const h2 = hash32(content.multihash, state.seeds[1])

      if (state.children.has(h1, h2)) {
        kinds.bitswap_inner++
        continue
      }

      if (content.codec === RAW_CODEC && requester != null && now - requester.structuredAt < WALK_WINDOW) {
        kinds.bitswap_leaf++
        continue
      }

      if (content.codec !== RAW_CODEC && requester != null) {
        requester.structuredAt = now
      }

      kinds.bitswap_root++
      const dropped = this.count(requester, content.multihash, h1, h2, weight, { codec: content.codec, source: SOURCE_BITSWAP, at: now })

      if (dropped != null) {
        drops[dropped] = (drops[dropped] ?? 0) + 1
      }
    }

    this.observed?.increment(kinds)
    this.dropped?.increment(drops)
  }

  unreadableWants (): void {
    this.dropped?.increment({ malformed: true })
  }

  observeProviderLookup (peer: PeerId, key: Uint8Array): void {
    const state = this.state

    if (state == null) {
      return
    }

    if (!isMultihash(key)) {
      this.dropped?.increment({ malformed: true })
      return
    }

    if (this.notContent.has(uint8ArrayToString(key, 'base64'))) {
      this.dropped?.increment({ not_content: true })
      return
    }

    const now = Date.now()
    const h1 = hash32(key, state.seeds[0])
    const h2 = hash32(key, state.seeds[1])
    const dropped = this.count(this.peerState(peer.toString(), now), key, h1, h2, this.weight(peer), { flags: ROOT_CONFIRMED, source: SOURCE_DHT, at: now })
    this.observed?.increment({ dht_root: true } satisfies Partial<Record<Kind, true>>)

    if (dropped != null) {
      this.dropped?.increment({ [dropped]: true })
    }
  }

  /** Our own user asked for `cid` through the gateway or the RPC API */
  observeLocal (cid: CID): void {
    const state = this.state

    if (state == null) {
      return
    }

    const multihash = cid.multihash.bytes
    const key = this.key(multihash)
    const seen = { codec: cid.code, flags: ROOT_CONFIRMED, source: SOURCE_LOCAL, at: Date.now() }
    const count = state.local.count(key, multihash)
    // an item not held enters above the minimum, as in Space-Saving
    // nothing of it reaches the remote list, which may be published
    state.local.offer(key, multihash, (count ?? state.local.min) + 1, seen)
    this.observed?.increment({ local: true } satisfies Partial<Record<Kind, true>>)
  }

  /**
   * A block we now hold: the CIDs it links to are inner blocks, whose wants
   * say nothing of what is popular
   */
  observeBlock (cid: CID, bytes: Uint8Array): void {
    const state = this.state

    if (state == null || cid.code !== DAG_PB_CODEC) {
      return
    }

    try {
      for (const link of decodeDagPb(bytes).Links) {
        const multihash = link.Hash.multihash.bytes
        state.children.add(hash32(multihash, state.seeds[0]), hash32(multihash, state.seeds[1]))
      }
    } catch (err) {
      this.log.trace('could not read the links of %c - %e', cid, err)
    }
  }

  /** The most requested items, most first */
  top (options: TopOptions = {}): PopularItem[] {
    const state = this.state

    if (state == null) {
      return []
    }

    return selectTop((options.local === true ? state.local : state.remote).entries(), options)
  }

  /** The estimated requesters of an item (remote demand), by multihash */
  estimate (multihash: Uint8Array): number {
    const state = this.state

    if (state == null || !isMultihash(multihash)) {
      return 0
    }

    const held = state.remote.count(this.key(multihash), multihash)
    return held ?? state.sketch.estimate(hash32(multihash, state.seeds[0]), hash32(multihash, state.seeds[1]))
  }

  /** Write the snapshot now */
  async save (): Promise<void> {
    const state = this.state

    if (state == null || this.init.path == null) {
      return
    }

    const bytes = encodeSnapshot(this.toSnapshot(state))
    state.lastSnapshot = Date.now()
    await writeSnapshot(this.init.path, bytes)
  }

  /** Count one (peer, item) pair; returns why it was not counted, if it was not */
  private count (requester: PeerState | undefined, multihash: Uint8Array, h1: number, h2: number, weight: number, seen: { codec?: number, flags?: number, source: number, at: number }): DropReason | undefined {
    const state = this.state

    if (state == null) {
      return undefined
    }

    if (requester == null) {
      return 'peers'
    }

    const p1 = mix32(h1 ^ requester.hash)
    const p2 = mix32(h2 + Math.imul(requester.hash, 0x9e3779b1))

    const key = keyOf(h1, h2)

    if (state.pairs.testAndAdd(p1, p2)) {
      // not counted again, but what it was seen as still tells
      state.remote.mark(key, multihash, seen.flags ?? 0, seen.source)
      return 'repeat'
    }

    if (requester.pairs >= this.init.perPeerCap) {
      return 'cap'
    }

    requester.pairs++
    state.increments += weight
    const estimate = state.sketch.add(h1, h2, weight)
    // once held, the top-K's own count is exact (the sketch's may be over)
    const held = state.remote.count(key, multihash)
    const count = held == null ? estimate : held + weight

    if (!state.remote.offer(key, multihash, count, seen) && held != null) {
      return 'collision'
    }

    if (state.increments >= state.sketch.width * COUNTS_PER_COUNTER_BEFORE_HALVING) {
      this.halve(seen.at)
    }

    return undefined
  }

  private peerState (peer: string, now: number): PeerState | undefined {
    const state = this.state

    if (state == null) {
      return undefined
    }

    let requester = state.peers.get(peer)

    if (requester == null && state.peers.size < MAX_TRACKED_PEERS) {
      requester = { hash: hash32(utf8.encode(peer), state.seeds[2]), pairs: 0, structuredAt: now - WALK_WINDOW }
      state.peers.set(peer, requester)
    }

    return requester
  }

  private weight (peer: PeerId): number {
    return this.init.weighPayers && this.components.payments?.hasPaid(peer.toString()) === true ? PAYER_WEIGHT : 1
  }

  private key (multihash: Uint8Array): number {
    const seeds = this.state?.seeds ?? new Uint32Array(4)
    return keyOf(hash32(multihash, seeds[0]), hash32(multihash, seeds[1]))
  }

  private tick (): void {
    const state = this.state

    if (state == null) {
      return
    }

    const now = Date.now()

    if (now - state.epochStart >= this.init.epoch) {
      // a new epoch: every peer counts once more for what it asks again
      state.pairs.clear()
      state.peers.clear()
      state.epochStart = now
    }

    this.decay(now)

    if (this.init.path != null && this.saving == null && now - state.lastSnapshot >= this.init.snapshotInterval) {
      this.saving = this.save()
        .catch(err => { this.log.error('could not write the popularity snapshot - %e', err) })
        .finally(() => { this.saving = undefined })
    }
  }

  /** Halve once for each half-life passed since the last halving */
  private decay (now: number): void {
    const state = this.state

    if (state == null) {
      return
    }

    const periods = Math.floor((now - state.lastHalving) / this.init.halfLife)

    // after 16 halvings a 16-bit count is 0 whatever it was
    for (let i = 0; i < Math.min(periods, 16); i++) {
      this.halve(state.lastHalving + this.init.halfLife)
    }

    if (periods > 16) {
      state.lastHalving = now
    }
  }

  private halve (at: number): void {
    const state = this.state

    if (state == null) {
      return
    }

    state.sketch.halve()
    state.remote.scale(0.5)
    state.local.scale(0.5)
    state.increments = 0
    state.lastHalving = at
  }

  private async load (): Promise<TrackerState | undefined> {
    if (this.init.path == null) {
      return undefined
    }

    const bytes = await readSnapshot(this.init.path)

    if (bytes == null) {
      return undefined
    }

    try {
      return decodeSnapshot(bytes, this.init.path)
    } catch (err: any) {
      this.log.error('%s', err.message)
      return undefined
    }
  }

  private toSnapshot (state: NonNullable<FrequencyTracker['state']>): TrackerState {
    return {
      seeds: state.seeds,
      sketchWidth: state.sketch.width,
      sketchDepth: state.sketch.depth,
      sketch: state.sketch.counters,
      children: state.children.bits,
      lastHalving: state.lastHalving,
      epochStart: state.epochStart,
      increments: state.increments,
      remote: state.remote.entries(),
      local: state.local.entries()
    }
  }
}

/**
 * The most requested items as the last snapshot in `dir` has them, for a
 * node that is not running (offline commands); none without a snapshot
 */
export async function readTop (dir: string, options: TopOptions = {}): Promise<PopularItem[]> {
  const bytes = await readSnapshot(dir)

  if (bytes == null) {
    return []
  }

  const state = decodeSnapshot(bytes, dir)
  return selectTop(options.local === true ? state.local : state.remote, options)
}

/** The entries (highest first) an item list shows */
function selectTop (entries: TopKEntry[], options: TopOptions): PopularItem[] {
  const minimum = options.local === true ? 0 : options.minRequesters ?? 0
  return entries
    .filter(entry => entry.count >= minimum)
    .slice(0, options.limit ?? 10)
    .map(toItem)
}

/** A 52-bit key from two 32-bit hashes: exact in a double */
function keyOf (h1: number, h2: number): number {
  return h1 * 2 ** 20 + (h2 >>> 12)
}

function toItem (entry: TopKEntry): PopularItem {
  const digest = Digest.decode(entry.multihash)
  const sources: PopularItem['sources'] = []

  if ((entry.sources & SOURCE_BITSWAP) !== 0) { sources.push('bitswap') }
  if ((entry.sources & SOURCE_DHT) !== 0) { sources.push('dht') }
  if ((entry.sources & SOURCE_LOCAL) !== 0) { sources.push('local') }

  return {
    cid: CID.createV1(entry.codec < 0 ? RAW_CODEC : entry.codec, digest),
    requesters: entry.count,
    rootConfirmed: (entry.flags & ROOT_CONFIRMED) !== 0,
    sources,
    firstSeen: entry.firstSeen,
    lastSeen: entry.lastSeen
  }
}

/**
 * Count what peers and local users ask for; give the node's `frequency`
 * component to the bitswap traffic meter (`observeWants`) and the DHT
 * message limit (`observeLookups`)
 */
export function frequencyTracker (init: FrequencyTrackerInit = {}): (components: FrequencyTrackerComponents) => FrequencyTracker {
  return (components) => new FrequencyTracker(components, init)
}
