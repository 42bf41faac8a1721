/**
 * Bytes of bitswap traffic per peer, kept in the datastore: what a payee
 * bills and what a payer checks a bill against. Counting happens in memory on
 * every chunk; changed entries are written out every `flushInterval` and on
 * stop, so a crash loses at most that much counting (the payment protocol's
 * byte tolerance covers it).
 */
import { Key } from 'interface-datastore'
import type { BitswapTraffic } from './traffic-meter.js'
import type { ComponentLogger, Logger, PeerId, Startable } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

const PREFIX = '/torplus/bitswap/ledger'

export interface PeerLedgerComponents {
  datastore: Datastore
  logger: ComponentLogger
}

export interface PeerLedgerInit {
  /**
   * Milliseconds between writes of changed counts
   *
   * @default 1000
   */
  flushInterval?: number
}

export class PeerLedger implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:bitswap:peer-ledger'
  private readonly components: PeerLedgerComponents
  private readonly log: Logger
  private readonly flushInterval: number
  private readonly peers = new Map<string, BitswapTraffic>()
  private readonly dirty = new Set<string>()
  private timer?: ReturnType<typeof setInterval>
  private flushing?: Promise<void>

  constructor (components: PeerLedgerComponents, init: PeerLedgerInit = {}) {
    this.components = components
    this.log = components.logger.forComponent('torplus:bitswap:peer-ledger')
    this.flushInterval = init.flushInterval ?? 1000
  }

  isStarted (): boolean {
    return this.timer != null
  }

  async start (): Promise<void> {
    for await (const { key, value } of this.components.datastore.query({ prefix: PREFIX })) {
      const { sent, received } = JSON.parse(new TextDecoder().decode(value))
      this.peers.set(key.baseNamespace(), { bytesSent: BigInt(sent), bytesReceived: BigInt(received) })
    }

    this.timer = setInterval(() => { void this.flush() }, this.flushInterval)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.flush()
  }

  get (peer: PeerId | string): BitswapTraffic {
    return { ...(this.peers.get(peer.toString()) ?? { bytesSent: 0n, bytesReceived: 0n }) }
  }

  addSent (peer: PeerId, bytes: number): void {
    this.entry(peer).bytesSent += BigInt(bytes)
  }

  addReceived (peer: PeerId, bytes: number): void {
    this.entry(peer).bytesReceived += BigInt(bytes)
  }

  /**
   * Raise a peer's counts to at least these: the payment books are synced at
   * every payment while the counts are written lazily, so after a crash the
   * books may know of more bytes than the ledger
   */
  atLeast (peer: PeerId | string, traffic: Partial<BitswapTraffic>): void {
    const entry = this.entry(peer)
    entry.bytesSent = max(entry.bytesSent, traffic.bytesSent ?? 0n)
    entry.bytesReceived = max(entry.bytesReceived, traffic.bytesReceived ?? 0n)
  }

  /** Every peer with traffic, with its counts */
  entries (): Array<[string, BitswapTraffic]> {
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
      const { bytesSent, bytesReceived } = this.peers.get(peer) ?? { bytesSent: 0n, bytesReceived: 0n }
      batch.put(new Key(`${PREFIX}/${peer}`), new TextEncoder().encode(JSON.stringify({ sent: bytesSent.toString(), received: bytesReceived.toString() })))
    }

    this.dirty.clear()
    this.flushing = Promise.resolve(batch.commit())
      .catch(err => { this.log.error('could not write the peer ledger - %e', err) })
      .finally(() => { this.flushing = undefined })
    await this.flushing
  }

  private entry (peer: PeerId | string): BitswapTraffic {
    const id = peer.toString()
    let entry = this.peers.get(id)

    if (entry == null) {
      entry = { bytesSent: 0n, bytesReceived: 0n }
      this.peers.set(id, entry)
    }

    this.dirty.add(id)
    return entry
  }
}

function max (a: bigint, b: bigint): bigint {
  return a > b ? a : b
}
