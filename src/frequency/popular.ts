/**
 * `/torplus/popular/1.0.0`: a peer asks for our most requested items, we
 * answer with one list, on one stream. Only remote demand is published,
 * only items with `minRequesters` requesters, with counts rounded to two
 * significant bits and no identities. The list is rebuilt at most once a
 * minute, so a request costs a copy; one request per peer per ten minutes
 * and 30 per minute in all are answered, others are reset. The list is
 * unsigned: it is asked for directly over a Noise-authenticated connection
 * and never relayed.
 */
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { lpStream, RateLimiter } from '@libp2p/utils'
import { anySignal } from 'any-signal'
import { CID } from 'multiformats/cid'
import { DEFAULT_MIN_REQUESTERS, DEFAULT_POPULAR_TIMEOUT, DEFAULT_PUBLISH_LIMIT, MAX_POPULAR_REQUEST, MAX_POPULAR_RESPONSE, POPULAR_MAX_INBOUND_STREAMS, POPULAR_PEER_INTERVAL_S, POPULAR_PROTOCOL, POPULAR_REBUILD_INTERVAL, POPULAR_REQUESTS_PER_MINUTE } from './constants.js'
import { InvalidPopularListError, PopularRateLimitedError } from './errors.js'
import { isMultihash } from './multihash.js'
import { type PopularEntry, PopularRequest, PopularResponse } from './pb/popular.js'
import { HELD, ROOT_CONFIRMED } from './top-k.js'
import type { FrequencyTracker } from './tracker.js'
import type { AbortOptions, ComponentLogger, Connection, CounterGroup, Logger, Metrics, PeerId, Startable, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

/** Bytes an entry takes besides its CID, at most: tags, lengths, varints */
const ENTRY_OVERHEAD = 24

export interface PopularListInit {
  /**
   * Answer peers' requests; off, the protocol is not handled (asking others
   * still works)
   *
   * @default true
   */
  publish?: boolean

  /** @default 1000 */
  limit?: number

  /** @default 3 */
  minRequesters?: number

  /** Milliseconds an exchange may take @default 30_000 */
  timeout?: number

  /** Where the HELD flag is checked */
  blocks?: { has(cid: CID, options?: AbortOptions): Promise<boolean> }
}

export interface PopularListComponents {
  registrar: Pick<Registrar, 'handle' | 'unhandle'>
  connectionManager: Pick<ConnectionManager, 'openStream'>
  logger: ComponentLogger
  metrics?: Metrics
  frequency: Pick<FrequencyTracker, 'top' | 'halfLife'>
}

/** An item of a peer's list */
export interface PopularListEntry {
  cid: CID
  requesters: number
  /** Bytes of the whole DAG, if the peer said */
  dagSize?: bigint
  rootConfirmed: boolean
  /** The peer says it can serve it */
  held: boolean
}

export interface PopularList {
  /** When the peer made the list, ms since the epoch (its clock) */
  snapshotTime: number
  /** The peer's half-life, ms */
  halfLife: number
  /** Nothing newer than `ifNewerThan` */
  notModified: boolean
  /** Most requested first */
  entries: PopularListEntry[]
  /** Entries left out because they were not a CID */
  malformed: number
}

export interface AskOptions extends AbortOptions {
  /** @default 1000 */
  limit?: number
  /** The list's time last seen: nothing is sent unless it is newer */
  ifNewerThan?: number
}

export class PopularListService implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:frequency:popular'
  readonly [serviceCapabilities] = ['@torplus/popular']
  readonly [serviceDependencies] = ['@torplus/frequency']
  private readonly components: PopularListComponents
  private readonly publish: boolean
  private readonly limit: number
  private readonly minRequesters: number
  private readonly timeout: number
  private readonly blocks?: PopularListInit['blocks']
  private readonly log: Logger
  private readonly served?: CounterGroup
  private readonly perPeer = new RateLimiter({ points: 1, duration: POPULAR_PEER_INTERVAL_S })
  private readonly overall = new RateLimiter({ points: POPULAR_REQUESTS_PER_MINUTE, duration: 60 })
  private list?: { built: number, entries: PopularEntry[] }
  private building?: Promise<{ built: number, entries: PopularEntry[] }>
  private started = false

  constructor (components: PopularListComponents, init: PopularListInit = {}) {
    this.components = components
    this.publish = init.publish ?? true
    this.limit = Math.min(init.limit ?? DEFAULT_PUBLISH_LIMIT, DEFAULT_PUBLISH_LIMIT)
    this.minRequesters = init.minRequesters ?? DEFAULT_MIN_REQUESTERS
    this.timeout = init.timeout ?? DEFAULT_POPULAR_TIMEOUT
    this.blocks = init.blocks
    this.log = components.logger.forComponent('torplus:frequency:popular')
    this.served = components.metrics?.registerCounterGroup('torplus_frequency_list_requests_total', {
      label: 'outcome',
      help: 'Requests for our popular list, by outcome: served, not_modified, rate_limited, failed'
    })
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    if (this.publish) {
      await this.components.registrar.handle(POPULAR_PROTOCOL, (stream, connection) => {
        this.serve(stream, connection).catch(err => {
          this.log('could not serve the popular list to %p - %e', connection.remotePeer, err)
          this.served?.increment({ failed: true })
          stream.abort(err)
        })
      }, { maxInboundStreams: POPULAR_MAX_INBOUND_STREAMS, maxOutboundStreams: POPULAR_MAX_INBOUND_STREAMS })
    }

    this.started = true
  }

  async stop (): Promise<void> {
    if (this.publish) {
      await this.components.registrar.unhandle(POPULAR_PROTOCOL)
    }

    this.started = false
  }

  /** Ask `peer` for its list; throws if it has none or breaks the protocol */
  async ask (peer: PeerId, options: AskOptions = {}): Promise<PopularList> {
    const signal = anySignal([AbortSignal.timeout(this.timeout), options.signal])
    const limit = Math.min(options.limit ?? DEFAULT_PUBLISH_LIMIT, DEFAULT_PUBLISH_LIMIT)
    let stream: Stream | undefined

    try {
      stream = await this.components.connectionManager.openStream(peer, POPULAR_PROTOCOL, { signal })
      const messages = lpStream(stream, { maxDataLength: MAX_POPULAR_RESPONSE })
      await messages.write(PopularRequest.encode({ limit, ifNewerThan: BigInt(options.ifNewerThan ?? 0) }), { signal })
      const response = PopularResponse.decode((await messages.read({ signal })).subarray(), { limits: { entries: limit } })
      await stream.close({ signal })

      // all that comes on this stream came: a peer that keeps its side open
      // would hold one of our few streams for the protocol
      if (stream.remoteWriteStatus !== 'closed') {
        stream.abort(new InvalidPopularListError(peer.toString(), 'the stream was left open after the list'))
      }

      return toList(peer, response, limit)
    } catch (err: any) {
      stream?.abort(err)
      throw err
    } finally {
      signal.clear()
    }
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()

    try {
      this.perPeer.consume(peer)
      this.overall.consume('all')
    } catch {
      this.served?.increment({ rate_limited: true })
      stream.abort(new PopularRateLimitedError(peer))
      return
    }

    const signal = AbortSignal.timeout(this.timeout)
    const messages = lpStream(stream, { maxDataLength: MAX_POPULAR_REQUEST })
    const request = PopularRequest.decode((await messages.read({ signal })).subarray())
    const list = await this.current()
    const notModified = Number(request.ifNewerThan) >= list.built
    const limit = request.limit === 0 ? this.limit : Math.min(request.limit, this.limit)

    await messages.write(PopularResponse.encode({
      snapshotTime: BigInt(list.built),
      halfLifeS: Math.round(this.components.frequency.halfLife / 1000),
      notModified,
      entries: notModified ? [] : list.entries.slice(0, limit)
    }), { signal })
    await stream.close({ signal })
    this.served?.increment({ [notModified ? 'not_modified' : 'served']: true })
  }

  /** The published list, rebuilt when older than a minute */
  private async current (): Promise<{ built: number, entries: PopularEntry[] }> {
    if (this.list != null && Date.now() - this.list.built < POPULAR_REBUILD_INTERVAL) {
      return this.list
    }

    this.building ??= this.build().finally(() => { this.building = undefined })
    this.list = await this.building
    return this.list
  }

  private async build (): Promise<{ built: number, entries: PopularEntry[] }> {
    const items = this.components.frequency.top({ limit: this.limit, minRequesters: this.minRequesters })
    const entries: PopularEntry[] = []
    let size = 0

    for (const item of items) {
      const held = await this.blocks?.has(item.cid).catch(() => false) === true
      const entry = {
        cid: item.cid.bytes,
        requesters: roundDown(Math.floor(item.requesters)),
        dagSize: 0n,
        flags: (item.rootConfirmed ? ROOT_CONFIRMED : 0) | (held ? HELD : 0)
      }

      // the response never passes the size a client reads
      size += entry.cid.byteLength + ENTRY_OVERHEAD

      if (size > MAX_POPULAR_RESPONSE - ENTRY_OVERHEAD) {
        break
      }

      entries.push(entry)
    }

    return { built: Date.now(), entries }
  }
}

/** `value` rounded down to its two most significant bits: counts no finer than a quarter */
export function roundDown (value: number): number {
  if (value < 4) {
    return value
  }

  const shift = Math.floor(Math.log2(value)) - 1
  return Math.floor(value / 2 ** shift) * 2 ** shift
}

function toList (peer: PeerId, response: PopularResponse, limit: number): PopularList {
  if (response.entries.length > limit) {
    throw new InvalidPopularListError(peer.toString(), `${response.entries.length} entries, more than the ${limit} asked for`)
  }

  const entries: PopularListEntry[] = []
  let malformed = 0

  for (const entry of response.entries) {
    try {
      const cid = CID.decode(entry.cid as Parameters<typeof CID.decode>[0])

      if (cid.version !== 1 || !isMultihash(cid.multihash.bytes)) {
        throw new Error('not a CIDv1')
      }

      entries.push({
        cid,
        requesters: entry.requesters,
        dagSize: entry.dagSize > 0n ? entry.dagSize : undefined,
        rootConfirmed: (entry.flags & ROOT_CONFIRMED) !== 0,
        held: (entry.flags & HELD) !== 0
      })
    } catch {
      malformed++
    }
  }

  return {
    snapshotTime: Number(response.snapshotTime),
    halfLife: response.halfLifeS * 1000,
    notModified: response.notModified,
    entries,
    malformed
  }
}

/**
 * Serve our popular list on `/torplus/popular/1.0.0` and ask peers for
 * theirs; needs the node's `frequency` component
 */
export function popularList (init: PopularListInit = {}): (components: PopularListComponents) => PopularListService {
  return (components) => new PopularListService(components, init)
}
