/**
 * Bytes of bitswap traffic per peer, kept in the datastore: what a payee
 * bills and what a payer checks a bill against. Counting happens in memory on
 * every chunk; changed entries are written out every `flushInterval` and on
 * stop, and as soon as a peer's unwritten bytes reach `flushBytes`, so a
 * crash loses little counting. A mark is left while the node runs: found
 * at start, the last run crashed, the counts loaded may be short
 * (`uncertain`), and a payer gives the payees it paid before its byte
 * tolerance once.
 */
import { serviceCapabilities } from '@libp2p/interface'
import { Key } from 'interface-datastore'
import { TypedEventEmitter } from 'main-event'
import { DEFAULT_FLUSH_BYTES, DEFAULT_FLUSH_INTERVAL, DEFAULT_FORGET_IDLE, MAX_FORGET_SWEEP_INTERVAL, MIN_FORGET_SWEEP_INTERVAL } from './constants.js'
import type { BitswapTraffic } from './traffic-meter.js'
import type { ComponentLogger, Logger, PeerId, Startable } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

const PREFIX = '/torplus/bitswap/ledger'
/** Written at start and removed at a clean stop: found at start, the last run crashed */
const RUNNING = new Key('/torplus/bitswap/running')

/** A peer's bitswap bytes, all told */
export interface PeerTraffic extends BitswapTraffic {
  /** Bytes of blocks we asked the peer for and it delivered (see delivery-meter.ts) */
  bytesDelivered: bigint
}

export interface PeerTrafficStoreComponents {
  datastore: Datastore
  logger: ComponentLogger
}

export interface PeerTrafficStoreEvents {
  /** A peer idle for `forgetIdle` was dropped: what else is kept of it may go too */
  forget: CustomEvent<string>
}

/** Whether a peer must be kept however idle (it has payments) */
export interface PeerKeeper { (peer: string): boolean }

export interface PeerTrafficStoreInit {
  /**
   * Milliseconds between writes of changed counts
   *
   * @default 1_000
   */
  flushInterval?: number

  /**
   * Bytes counted (all peers, all directions) after which changed counts
   * are written without waiting for the interval
   *
   * @default 4_194_304
   */
  flushBytes?: number

  /**
   * Milliseconds after which a peer with no traffic is forgotten, unless
   * a keeper keeps it: a new identity then costs nothing for long
   *
   * @default 3_600_000
   */
  forgetIdle?: number
}

export class PeerTrafficStore extends TypedEventEmitter<PeerTrafficStoreEvents> implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:bitswap:peer-traffic'
  readonly [serviceCapabilities] = ['@torplus/peer-traffic']
  private readonly components: PeerTrafficStoreComponents
  private readonly log: Logger
  private readonly flushInterval: number
  private readonly peers = new Map<string, PeerTraffic>()
  private readonly dirty = new Set<string>()
  private timer?: ReturnType<typeof setInterval>
  private flushing?: Promise<void>
  /** Whether the last run ended without flushing (a crash) */
  private crashed = false
  /** Bytes counted since the last write */
  private unwritten = 0
  private readonly flushBytes: number
  private readonly forgetIdle: number
  /** When each peer's counts last changed (or were loaded), ms since 1970 */
  private readonly lastSeen = new Map<string, number>()
  private sweeper?: ReturnType<typeof setInterval>
  private readonly keepers = new Set<PeerKeeper>()

  constructor (components: PeerTrafficStoreComponents, init: PeerTrafficStoreInit = {}) {
    super()
    this.components = components
    this.log = components.logger.forComponent('torplus:bitswap:peer-traffic')
    this.flushInterval = init.flushInterval ?? DEFAULT_FLUSH_INTERVAL
    this.flushBytes = init.flushBytes ?? DEFAULT_FLUSH_BYTES
    this.forgetIdle = init.forgetIdle ?? DEFAULT_FORGET_IDLE
  }

  isStarted (): boolean {
    return this.timer != null
  }

  async start (): Promise<void> {
    for await (const { key, value } of this.components.datastore.query({ prefix: PREFIX })) {
      const { sent, received, delivered } = JSON.parse(new TextDecoder().decode(value))
      this.peers.set(key.baseNamespace(), { bytesSent: BigInt(sent), bytesReceived: BigInt(received), bytesDelivered: BigInt(delivered ?? 0) })
      this.lastSeen.set(key.baseNamespace(), Date.now())
    }

    this.crashed = await this.components.datastore.has(RUNNING)
    await this.components.datastore.put(RUNNING, new Uint8Array(0))
    this.timer = setInterval(() => { void this.flush() }, this.flushInterval)
    this.timer.unref()
    this.sweeper = setInterval(() => { void this.forgetIdlePeers() }, Math.max(MIN_FORGET_SWEEP_INTERVAL, Math.min(this.forgetIdle / 4, MAX_FORGET_SWEEP_INTERVAL)))
    this.sweeper.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    clearInterval(this.sweeper)
    this.timer = undefined
  }

  /** Written once every connection is closed, so nothing is counted after it */
  async afterStop (): Promise<void> {
    await this.flush()
    await this.components.datastore.delete(RUNNING)
  }

  /** Keep every peer `keeper` says to, however idle; returns what undoes it */
  keep (keeper: PeerKeeper): () => void {
    this.keepers.add(keeper)
    return () => { this.keepers.delete(keeper) }
  }

  /** Whether the counts may be short: the last run crashed before writing them */
  uncertain (): boolean {
    return this.crashed
  }

  get (peer: PeerId | string): PeerTraffic {
    return { ...(this.peers.get(peer.toString()) ?? empty()) }
  }

  addSent (peer: PeerId, bytes: number): void {
    this.entry(peer).bytesSent += BigInt(bytes)
    this.counted(bytes)
  }

  addReceived (peer: PeerId, bytes: number): void {
    this.entry(peer).bytesReceived += BigInt(bytes)
    this.counted(bytes)
  }

  addDelivered (peer: PeerId, bytes: number): void {
    this.entry(peer).bytesDelivered += BigInt(bytes)
    this.counted(bytes)
  }

  /** Write soon once enough was counted: a crash then loses less */
  private counted (bytes: number): void {
    this.unwritten += bytes

    if (this.unwritten >= this.flushBytes && this.flushing == null && this.timer != null) {
      this.unwritten = 0
      void this.flush()
    }
  }

  /**
   * Raise a peer's counts to at least these: the payment books are synced at
   * every payment while the counts are written lazily, so after a crash the
   * books may know of more bytes than these counts
   */
  atLeast (peer: PeerId | string, traffic: Partial<PeerTraffic>): void {
    const entry = this.entry(peer)
    entry.bytesSent = max(entry.bytesSent, traffic.bytesSent ?? 0n)
    entry.bytesReceived = max(entry.bytesReceived, traffic.bytesReceived ?? 0n)
    entry.bytesDelivered = max(entry.bytesDelivered, traffic.bytesDelivered ?? 0n)
  }

  /** Every peer with traffic, with its counts */
  entries (): Array<[string, PeerTraffic]> {
    return [...this.peers].map(([peer, traffic]) => [peer, { ...traffic }])
  }

  async flush (): Promise<void> {
    // one flush at a time; a second caller waits for the running one, then writes what is left
    while (this.flushing != null) {
      await this.flushing
    }

    if (this.dirty.size === 0) {
      return
    }

    const batch = this.components.datastore.batch()

    for (const peer of this.dirty) {
      const { bytesSent, bytesReceived, bytesDelivered } = this.peers.get(peer) ?? empty()
      batch.put(new Key(`${PREFIX}/${peer}`), new TextEncoder().encode(JSON.stringify({ sent: bytesSent.toString(), received: bytesReceived.toString(), delivered: bytesDelivered.toString() })))
    }

    this.dirty.clear()
    this.flushing = Promise.resolve(batch.commit())
      .catch(err => { this.log.error('could not write the peer traffic counts - %e', err) })
      .finally(() => { this.flushing = undefined })
    await this.flushing
  }

  /** Peers idle for `forgetIdle` that no keeper keeps are dropped, counts and all */
  async forgetIdlePeers (): Promise<number> {
    const before = Date.now() - this.forgetIdle
    const kept = (peer: string): boolean => [...this.keepers].some(keeper => keeper(peer))
    const idle = [...this.lastSeen].filter(([peer, seen]) => seen < before && !kept(peer)).map(([peer]) => peer)

    if (idle.length === 0) {
      return 0
    }

    const batch = this.components.datastore.batch()

    for (const peer of idle) {
      this.peers.delete(peer)
      this.dirty.delete(peer)
      this.lastSeen.delete(peer)
      batch.delete(new Key(`${PREFIX}/${peer}`))
    }

    await batch.commit()
    idle.forEach(peer => { this.safeDispatchEvent('forget', { detail: peer }) })
    this.log('forgot %d idle peers', idle.length)
    return idle.length
  }

  private entry (peer: PeerId | string): PeerTraffic {
    const id = peer.toString()
    this.lastSeen.set(id, Date.now())
    let entry = this.peers.get(id)

    if (entry == null) {
      entry = empty()
      this.peers.set(id, entry)
    }

    this.dirty.add(id)
    return entry
  }
}

/**
 * Bitswap bytes per peer, kept in the datastore
 */
export function peerTrafficStore (init: PeerTrafficStoreInit = {}): (components: PeerTrafficStoreComponents) => PeerTrafficStore {
  return (components) => new PeerTrafficStore(components, init)
}

function empty (): PeerTraffic {
  return { bytesSent: 0n, bytesReceived: 0n, bytesDelivered: 0n }
}

function max (a: bigint, b: bigint): bigint {
  return a > b ? a : b
}
