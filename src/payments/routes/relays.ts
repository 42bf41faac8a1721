/**
 * Relays: ours (the signed terms we serve on `/torplus/relay/1.0.0` and the
 * provider record we keep under RELAY_DHT_KEY) and others' (found through
 * that record or `Payments.Routes.Relays`, their terms fetched, checked and
 * kept until they lapse, their failures remembered).
 */
import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import { anySignal } from 'any-signal'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { raceSignal } from 'race-signal'
import { RelayTerms } from '../pb/route.js'
import { MAX_MESSAGE_SIZE } from '../protocol/exchange.js'
import { DEFAULT_ROUTE_HOPS, RELAY_DHT_KEY, RELAY_PROTOCOL } from './constants.js'
import { signRelayTerms, verifyRelayTerms } from './terms.js'
import type { RouteKey } from './onion.js'
import type { RelayInit } from './router.js'
import type { AbortOptions, ContentRouting, Logger, PeerId, PrivateKey, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Milliseconds our signed terms stay valid; they are signed again halfway */
const TERMS_LIFETIME = 3_600_000

/** Relays asked for their terms at once */
const TERMS_CONCURRENCY = 8

/** Providers of the relay record looked at, at most */
const MAX_FOUND = 32

/** Relays whose terms and whose record we keep at most (the DHT can name new ones at each lookup) */
const MAX_KNOWN = 256

/** Milliseconds a relay that failed a payment is passed over */
const FAILURE_PENALTY = 600_000

/** Milliseconds a DHT lookup for relays is reused; a stale one is repeated in the background */
const FOUND_MAX_AGE = 300_000

/** Milliseconds a lookup that found too few relays for a route is reused, doubled after each such lookup up to FOUND_MAX_AGE */
const FOUND_SHORT_MAX_AGE = 20_000

/** Milliseconds one DHT lookup for relays may take (each hop is a new circuit over onion) */
const LOOKUP_TIMEOUT = 60_000

/** Milliseconds a payment waits for the first DHT lookup of relays */
const FIRST_LOOKUP_WAIT = 3_000

/** Weight of the latest outcome in a relay's success rate */
const SUCCESS_SMOOTHING = 0.3

/** The CID relays provide: whoever looks it up finds them. It names no content */
export function relayKey (): CID {
  return CID.createV1(raw.code, createDigest(sha256.code, createHash('sha256').update(RELAY_DHT_KEY).digest()))
}

export interface Relay {
  peer: PeerId
  terms: RelayTerms
}

interface RelayStats {
  /** Success rate, 0 to 1 */
  success: number
  failedAt?: number
}

export interface RelayDirectoryComponents {
  connectionManager: Pick<ConnectionManager, 'openStream'>
  contentRouting?: Pick<ContentRouting, 'findProviders' | 'provide'>
  privateKey: PrivateKey
  routeKey: RouteKey
  log: Logger
}

export interface RelayDirectoryInit {
  relay: RelayInit
  /** Relays configured by hand, each address ending in /p2p/<peer id> */
  relays: Multiaddr[]
  asset: { code: string, issuer: string }
  messageTimeout: number
  /**
   * Relays a route needs: a lookup that found fewer (the DHT was still
   * filling) is repeated soon rather than kept for minutes
   *
   * @default 3
   */
  wanted?: number
}

export class RelayDirectory {
  private readonly components: RelayDirectoryComponents
  private readonly init: RelayDirectoryInit
  private readonly relaysByPeer = new Map<string, Relay>()
  private readonly stats = new Map<string, RelayStats>()
  private ours?: RelayTerms
  private found?: { peers: PeerId[], at: number }
  private finding?: Promise<PeerId[]>
  /** Lookups in a row that found too few relays for a route */
  private shortLookups = 0

  constructor (components: RelayDirectoryComponents, init: RelayDirectoryInit) {
    this.components = components
    this.init = init
  }

  /** Serve our terms: the whole exchange is our one message */
  async serve (stream: Stream): Promise<void> {
    const signal = AbortSignal.timeout(this.init.messageTimeout)

    try {
      const messages = pbStream(stream, { maxDataLength: MAX_MESSAGE_SIZE }).pb({ encode: RelayTerms.encode, decode: (data) => RelayTerms.decode(data.subarray()) })
      await messages.write(await this.ourTerms(), { signal })
      await stream.close({ signal })
    } catch (err: any) {
      stream.abort(err)
    }
  }

  /** Our terms, signed again once half their life is gone */
  async ourTerms (): Promise<RelayTerms> {
    const now = Date.now()

    if (this.ours == null || Number(this.ours.validUntil) - now < TERMS_LIFETIME / 2) {
      const { relay, asset } = this.init
      this.ours = await signRelayTerms({
        assetCode: asset.code,
        assetIssuer: asset.issuer,
        feeBase: relay.feeBase,
        feePpm: relay.feePpm,
        expiryDelta: relay.expiryDelta,
        maxPending: relay.maxPending,
        routeKey: this.components.routeKey.publicKey,
        validUntil: BigInt(now + TERMS_LIFETIME)
      }, this.components.privateKey)
    }

    return this.ours
  }

  /** Keep our provider record, so that clients find us */
  async announce (options: AbortOptions = {}): Promise<void> {
    await this.components.contentRouting?.provide(relayKey(), options)
  }

  /** Relays we could route through now: configured and found, with terms in our asset that hold */
  async candidates (options: AbortOptions = {}): Promise<Relay[]> {
    const peers = new Map<string, { peer: PeerId, address?: Multiaddr }>()

    for (const address of this.init.relays) {
      const id = address.getComponents().findLast(component => component.name === 'p2p')?.value

      if (id != null) {
        peers.set(id, { peer: peerIdFromString(id), address })
      }
    }

    for (const peer of await this.find(options)) {
      if (!peers.has(peer.toString())) {
        peers.set(peer.toString(), { peer })
      }
    }

    const found: Relay[] = []
    const queue = [...peers.values()]
    await Promise.all(Array.from({ length: TERMS_CONCURRENCY }, async () => {
      for (let next = queue.shift(); next != null; next = queue.shift()) {
        const relay = await this.relay(next.peer, next.address, options)

        if (relay != null) {
          found.push(relay)
        }
      }
    }))

    return found
  }

  /** Relays whose terms we hold */
  known (): Relay[] {
    return [...this.relaysByPeer.values()]
  }

  /** Record how a payment through `peer` went */
  outcome (peer: PeerId | string, success: boolean): void {
    const stats = this.stats.get(peer.toString()) ?? { success: 1 }
    stats.success = stats.success * (1 - SUCCESS_SMOOTHING) + (success ? SUCCESS_SMOOTHING : 0)
    stats.failedAt = success ? stats.failedAt : Date.now()
    // the latest last: a full map forgets the relay it heard of least recently
    this.stats.delete(peer.toString())
    this.stats.set(peer.toString(), stats)

    if (this.stats.size > MAX_KNOWN) {
      this.stats.delete(this.stats.keys().next().value as string)
    }
  }

  /** Whether the relay failed lately */
  penalised (peer: PeerId | string): boolean {
    const failedAt = this.stats.get(peer.toString())?.failedAt
    return failedAt != null && Date.now() - failedAt < FAILURE_PENALTY
  }

  /** Its success rate, 0 to 1 (1 until it fails) */
  success (peer: PeerId | string): number {
    return this.stats.get(peer.toString())?.success ?? 1
  }

  /** Relays announced in the DHT: the last lookup's, repeated in the background once stale */
  private async find (options: AbortOptions): Promise<PeerId[]> {
    const age = this.found == null ? Infinity : Date.now() - this.found.at
    const short = this.tooFew(this.found?.peers ?? [])
    const stale = age > (short ? Math.min(FOUND_SHORT_MAX_AGE * 2 ** this.shortLookups, FOUND_MAX_AGE) : FOUND_MAX_AGE)

    if (stale) {
      this.finding ??= this.lookUp().then(peers => {
        this.found = { peers, at: Date.now() }
        this.shortLookups = this.tooFew(peers) ? this.shortLookups + 1 : 0
        return peers
      }).finally(() => { this.finding = undefined })
    }

    if (this.found != null && !short) {
      return this.found.peers
    }

    // a first lookup, or one after too few, keeps a payment waiting only briefly: what it finds later serves the next one
    const brief = anySignal([AbortSignal.timeout(FIRST_LOOKUP_WAIT), options.signal])

    try {
      return await raceSignal(this.finding ?? Promise.resolve(this.found?.peers ?? []), brief)
    } catch {
      options.signal?.throwIfAborted()
      return this.found?.peers ?? []
    } finally {
      brief.clear()
    }
  }

  /** Whether these relays found, with the configured ones, are too few for a route */
  private tooFew (found: PeerId[]): boolean {
    return found.length + this.init.relays.length < (this.init.wanted ?? DEFAULT_ROUTE_HOPS)
  }

  private async lookUp (): Promise<PeerId[]> {
    const routing = this.components.contentRouting

    if (routing == null) {
      return []
    }

    const found: PeerId[] = []
    const signal = AbortSignal.timeout(LOOKUP_TIMEOUT)

    try {
      for await (const provider of routing.findProviders(relayKey(), { signal })) {
        found.push(provider.id)

        if (found.length >= MAX_FOUND) {
          break
        }
      }
    } catch (err: any) {
      this.components.log('looking up relays ended - %e', err)
    }

    return found
  }

  private async relay (peer: PeerId, address: Multiaddr | undefined, options: AbortOptions): Promise<Relay | undefined> {
    const known = this.relaysByPeer.get(peer.toString())

    if (known != null && Number(known.terms.validUntil) > Date.now()) {
      return known
    }

    try {
      const terms = await this.fetchTerms(address ?? peer, options)
      const problem = await this.problem(peer, terms)

      if (problem != null) {
        this.components.log('passing over relay %p: %s', peer, problem)
        return undefined
      }

      const relay = { peer, terms }
      this.relaysByPeer.delete(peer.toString())
      this.relaysByPeer.set(peer.toString(), relay)

      if (this.relaysByPeer.size > MAX_KNOWN) {
        this.relaysByPeer.delete(this.relaysByPeer.keys().next().value as string)
      }

      return relay
    } catch (err: any) {
      this.components.log('could not read the terms of relay %p - %e', peer, err)
      this.relaysByPeer.delete(peer.toString())
    }
  }

  private async fetchTerms (peer: PeerId | Multiaddr, options: AbortOptions): Promise<RelayTerms> {
    const signal = anySignal([AbortSignal.timeout(this.init.messageTimeout), options.signal])

    try {
      const stream = await this.components.connectionManager.openStream(peer, RELAY_PROTOCOL, { signal })
      const messages = pbStream(stream, { maxDataLength: MAX_MESSAGE_SIZE }).pb({ encode: RelayTerms.encode, decode: (data) => RelayTerms.decode(data.subarray()) })
      const terms = await messages.read({ signal })
      await stream.close({ signal }).catch(err => { stream.abort(err) })
      return terms
    } finally {
      signal.clear()
    }
  }

  /** Why terms are no good to us */
  private async problem (peer: PeerId, terms: RelayTerms): Promise<string | undefined> {
    if (peer.publicKey == null || !await verifyRelayTerms(terms, peer.publicKey)) {
      return 'its terms are not signed by its key'
    }

    if (terms.assetCode !== this.init.asset.code || terms.assetIssuer !== this.init.asset.issuer) {
      return `it relays ${terms.assetCode}:${terms.assetIssuer}, not our asset`
    }

    if (Number(terms.validUntil) <= Date.now() || Number(terms.validUntil) > Date.now() + 2 * TERMS_LIFETIME) {
      return 'its terms are out of date'
    }

    if (terms.routeKey.byteLength !== 32) {
      return 'its route key is not an X25519 key'
    }
  }
}
