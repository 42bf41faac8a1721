/**
 * Published sites: each a directory served as it is or a local web server,
 * reached by other torplus nodes over `/torplus/site/1.0.0`. A tunnel is a
 * libp2p stream the opener names a site on, then the site's bytes both
 * ways, piped to the site's loopback port: HTTP, or TLS the site speaks
 * itself. What the publisher sends goes through the credit gate, as bitswap
 * does: it counts toward the same bill, is throttled past the credit limit,
 * and a peer past the disconnect limit is held until it pays. The opener
 * counts what it receives as delivered, so it pays for that and no more.
 */
import { randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { pbStream } from '@libp2p/utils'
import { isMultiaddr } from '@multiformats/multiaddr'
import { anySignal } from 'any-signal'
import { meterOutbound } from '../bitswap/index.js'
import { routeName } from '../names/index.js'
import { setNewest } from '../utils/bounded-map.js'
import { MAX_KNOWN_ADDRESSES, MAX_OPEN_MESSAGE_SIZE, MAX_SITES, MAX_TUNNELS, MAX_TUNNELS_PER_PEER, OPEN_TIMEOUT, PLAIN_ONION_PORT, SITE_PROTOCOL, TUNNEL_IDLE_TIMEOUT } from './constants.js'
import { streamToDuplex } from './duplex.js'
import { InvalidSiteError, SiteNotFoundError, SiteRefusedError, SiteUnreachableError } from './errors.js'
import { join } from './join.js'
import { connectLocal } from './local-socket.js'
import { SiteOpen, SiteOpened } from './pb/site.js'
import { PlainOnionServer } from './plain-onion.js'
import { serveDirectory } from './static-server.js'
import { SiteStore } from './store.js'
import type { FreeAllowanceInit } from './free-allowance.js'
import type { StaticServer } from './static-server.js'
import type { SiteRecord } from './store.js'
import type { BitswapGate, PeerTrafficStore } from '../bitswap/index.js'
import type { AbortOptions, ComponentLogger, Connection, Counter, CounterGroup, Logger, Metrics, PeerId, Startable, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Datastore } from 'interface-datastore'
import type { Duplex } from 'node:stream'

/** The codecs as pbStream reads them (protons' decoders take one copy of uint8arraylist, libp2p's another) */
const SITE_OPEN = { encode: SiteOpen.encode, decode: (data: { subarray(): Uint8Array }) => SiteOpen.decode(data.subarray()) }
const SITE_OPENED = { encode: SiteOpened.encode, decode: (data: { subarray(): Uint8Array }) => SiteOpened.decode(data.subarray()) }

export interface SiteServiceComponents {
  registrar: Registrar
  connectionManager: Pick<ConnectionManager, 'openConnection' | 'getConnections'>
  peerTraffic: Pick<PeerTrafficStore, 'addSent' | 'addReceived' | 'addDelivered'>
  /** Read only when `gated` */
  creditGate?: Pick<BitswapGate, 'delay' | 'sent' | 'pause' | 'admit'>
  logger: ComponentLogger
  metrics?: Metrics
}

export interface SiteServiceInit {
  /** Where published sites are kept */
  datastore: Datastore

  /** Pass what we send through the node's credit gate @default false */
  gated?: boolean

  /**
   * Serve the first site over plain HTTP on the node's onion, port 80, to
   * visitors who cannot pay, within one free allowance they share; without
   * it the onion serves no HTTP. The port is there from the start, sites
   * or not: a change of the onion's ports publishes it anew, and tor closes
   * the service's circuits, every connection to the node with them.
   */
  plainOnion?: PlainOnionInit
}

/** The ports of the node's onion service, which the transport listens on too */
export interface OnionPorts {
  /**
   * Serve `virtualPort` from the loopback `target`, `host:port`; with
   * `withOthers`, along with the next port published rather than alone
   */
  add(virtualPort: number, target: string, options?: { withOthers?: boolean }): Promise<void>
  remove(virtualPort: number): Promise<void>
}

export interface PlainOnionInit extends FreeAllowanceInit {
  ports: OnionPorts
}

export interface PublishOptions extends AbortOptions {
  /** An absolute directory to serve */
  dir?: string
  /** A local web server: `http://127.0.0.1:<port>` */
  target?: string
  /** The name the site is reached by: `torplus.example.com`, `video.torplus.eth` */
  name?: string
}

export interface PublishedSite extends SiteRecord {
  /** Whether its directory or server can be reached now */
  available: boolean
  /** Whether plain HTTP visitors of the node's onion get it (the first site, with `plainOnion`) */
  plainOnion: boolean
}

interface ServedSite {
  record: SiteRecord
  /** The loopback port its tunnels go to */
  port?: number
  server?: StaticServer
}

export class SiteService implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:sites'
  readonly [serviceCapabilities] = ['@torplus/sites']
  readonly [serviceDependencies]: string[]

  private readonly components: SiteServiceComponents
  private readonly log: Logger
  private readonly store: SiteStore
  private readonly gated: boolean
  private readonly sites = new Map<string, ServedSite>()
  /** Tunnels to our sites, per peer */
  private readonly inbound = new Map<string, number>()
  /** Tunnels we opened, per peer */
  private readonly outbound = new Map<string, number>()
  private readonly tunnels = new Set<Duplex>()
  /**
   * The peer met at each address dialled without a peer id (a name resolves
   * to an onion only): libp2p dials such an address anew every time, a
   * circuit and a handshake per request, where the peer's connection would do
   */
  private readonly peersAt = new Map<string, PeerId>()
  private readonly bytes?: CounterGroup
  private readonly opened?: CounterGroup
  private readonly refused?: Counter
  private readonly plainVisits?: CounterGroup
  private readonly plainOnion?: PlainOnionInit
  private plainServer?: PlainOnionServer
  private started = false

  constructor (components: SiteServiceComponents, init: SiteServiceInit) {
    this.components = components
    this.log = components.logger.forComponent('torplus:sites')
    this.store = new SiteStore(init.datastore)
    this.gated = init.gated === true
    this.plainOnion = init.plainOnion
    this[serviceDependencies] = ['@torplus/peer-traffic', ...(this.gated ? ['@torplus/credit-gate'] : [])]
    this.bytes = components.metrics?.registerCounterGroup('torplus_site_bytes_total', {
      label: 'direction',
      help: 'Bytes of published sites\' tunnels: sent (ours, served) and received (others\', delivered)'
    })
    this.opened = components.metrics?.registerCounterGroup('torplus_site_tunnels_total', {
      label: 'outcome',
      help: 'Tunnels peers asked to open to our sites, by outcome: ok, no_site, refused, unavailable, failed'
    })
    this.refused = components.metrics?.registerCounter('torplus_site_refused_tunnels_total', { help: 'Tunnels refused because their peer owed the disconnect limit or had too many open' })
    this.plainVisits = init.plainOnion == null
      ? undefined
      : components.metrics?.registerCounterGroup('torplus_site_plain_visits_total', {
        label: 'outcome',
        help: 'Connections of plain HTTP visitors to our onion, by outcome: ok, no_site, allowance_used, unavailable'
      })
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    for (const record of await this.store.list()) {
      this.sites.set(record.id, await this.serve(record))
    }

    // room past the tunnel limit, so the opener is told why rather than reset
    await this.components.registrar.handle(SITE_PROTOCOL, async (stream, connection) => { await this.onStream(stream, connection) }, {
      maxInboundStreams: 2 * MAX_TUNNELS_PER_PEER,
      maxOutboundStreams: 2 * MAX_TUNNELS_PER_PEER
    })

    if (this.plainOnion != null) {
      this.plainServer = new PlainOnionServer({
        ...this.plainOnion,
        sitePort: () => this.firstSite()?.port,
        log: this.log.newScope('plain'),
        onVisit: outcome => { this.plainVisits?.increment({ [outcome]: true }) },
        onSent: bytes => { this.bytes?.increment({ plain: bytes }) }
      })
      const target = `127.0.0.1:${await this.plainServer.start()}`
      // before the transport listens, it goes out with the listener's port;
      // after, the onion is published anew in the background
      this.plainOnion.ports.add(PLAIN_ONION_PORT, target, { withOthers: true }).catch(err => {
        this.log.error('could not serve port %d of our onion - %e', PLAIN_ONION_PORT, err)
      })
    }

    this.started = true
  }

  async stop (): Promise<void> {
    await this.components.registrar.unhandle(SITE_PROTOCOL)
    await this.plainServer?.stop()
    this.plainServer = undefined

    if (this.plainOnion != null) {
      // else the onion would be published again for it alone when the transport stops listening
      await this.plainOnion.ports.remove(PLAIN_ONION_PORT).catch(err => {
        this.log('could not stop serving port %d of our onion - %s', PLAIN_ONION_PORT, err.message)
      })
    }

    this.tunnels.forEach(tunnel => { tunnel.destroy() })
    await Promise.all([...this.sites.values()].map(async site => site.server?.close()))
    this.sites.clear()
    this.started = false
  }

  /** Publish a directory or a local web server; the same one again is answered as it stands */
  async publish (options: PublishOptions): Promise<PublishedSite> {
    const record = await this.check(options)
    const same = [...this.sites.values()].find(site => site.record.dir === record.dir && site.record.target === record.target && site.record.name === record.name)

    if (same != null) {
      return this.view(same)
    }

    if (record.name != null && [...this.sites.values()].some(site => site.record.name === record.name)) {
      throw new InvalidSiteError(`a site named ${record.name} is published already: \`torplus publish rm ${record.name}\` first`)
    }

    if (this.sites.size >= MAX_SITES) {
      throw new InvalidSiteError(`${MAX_SITES} sites are published already: remove one first`)
    }

    const site = await this.serve(record)
    await this.store.put(record, options)
    this.sites.set(record.id, site)
    this.log('published %s as %s', record.dir ?? record.target, record.name ?? record.id)
    return this.view(site)
  }

  /** Stop publishing a site, by id or name */
  async unpublish (site: string, options?: AbortOptions): Promise<PublishedSite> {
    const found = this.find(site)

    if (found == null) {
      throw new SiteNotFoundError(site)
    }

    await this.store.delete(found.record.id, options)
    this.sites.delete(found.record.id)
    await found.server?.close()
    return { ...found.record, available: false, plainOnion: false }
  }

  list (): PublishedSite[] {
    return [...this.sites.values()].map(site => this.view(site))
  }

  /**
   * Open a tunnel to the site `name` (empty: the node's only site) at the
   * node at `address`; what comes back is counted as delivered by that peer
   */
  async open (address: Multiaddr | PeerId, name: string, options: AbortOptions = {}): Promise<Duplex> {
    const signal = anySignal([options.signal, AbortSignal.timeout(OPEN_TIMEOUT)])
    let stream: Stream
    let peer: PeerId

    try {
      const connection = await this.connect(address, signal)
      peer = connection.remotePeer
      stream = await connection.newStream(SITE_PROTOCOL, { signal })
    } catch (err: any) {
      signal.clear()
      throw new SiteUnreachableError(name === '' ? address.toString() : name, err.message)
    }

    const id = peer.toString()
    const { peerTraffic } = this.components
    // counted as the tunnel hands bytes over: a muxer's wrapper of an outbound stream may not pass through onData
    const delivered = (bytes: number): void => {
      peerTraffic.addReceived(peer, bytes)
      peerTraffic.addDelivered(peer, bytes)
      this.bytes?.increment({ received: bytes })
    }

    try {
      const messages = pbStream(stream, { maxDataLength: MAX_OPEN_MESSAGE_SIZE })
      await messages.write({ name }, SITE_OPEN, { signal })
      const answer = await messages.read(SITE_OPENED, { signal })

      if (answer.status !== SiteOpened.Status.OK) {
        throw new SiteRefusedError(name === '' ? id : name, answer.status, answer.message)
      }

      // the answer went through the publisher's meter too: its bytes and their length prefix
      const answered = SiteOpened.encode(answer).byteLength
      delivered(answered + (answered < 128 ? 1 : 2))

      const tunnel = streamToDuplex(messages.unwrap(), { onData: delivered })
      this.track(this.outbound, id, tunnel)
      return tunnel
    } catch (err: any) {
      stream.abort(err)
      throw err instanceof SiteRefusedError ? err : new SiteUnreachableError(name === '' ? id : name, err.message)
    } finally {
      signal.clear()
    }
  }

  /** A connection to the peer at `address`: the one we have to the peer last met there, else a new one */
  private async connect (address: Multiaddr | PeerId, signal: AbortSignal): Promise<Connection> {
    const { connectionManager } = this.components

    if (!isMultiaddr(address) || address.getComponents().some(component => component.name === 'p2p')) {
      return connectionManager.openConnection(address, { signal })
    }

    const key = address.toString()
    const known = this.peersAt.get(key)
    const existing = known == null ? undefined : connectionManager.getConnections(known).find(connection => connection.status === 'open')
    const connection = existing ?? await connectionManager.openConnection(address, { signal })

    setNewest(this.peersAt, key, connection.remotePeer, MAX_KNOWN_ADDRESSES)
    return connection
  }

  /** The peer at `address` (an onion a name stands for), connected */
  async peerAt (address: Multiaddr, options: AbortOptions = {}): Promise<PeerId> {
    const signal = anySignal([options.signal, AbortSignal.timeout(OPEN_TIMEOUT)])

    try {
      return (await this.connect(address, signal)).remotePeer
    } finally {
      signal.clear()
    }
  }

  /** The peer last met at `address`, if a tunnel or `peerAt` reached it */
  knownPeerAt (address: Multiaddr): PeerId | undefined {
    return this.peersAt.get(address.toString())
  }

  /** Whether a tunnel we opened to the peer is open: its bytes may be on their way */
  serving (peer: PeerId | string): boolean {
    return (this.outbound.get(peer.toString()) ?? 0) > 0
  }

  private async onStream (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const { peerTraffic } = this.components
    const gate = this.gated ? this.components.creditGate : undefined
    meterOutbound(stream, peer, bytes => {
      peerTraffic.addSent(connection.remotePeer, bytes)
      this.bytes?.increment({ sent: bytes })
    }, gate)
    stream.inactivityTimeout = TUNNEL_IDLE_TIMEOUT
    const messages = pbStream(stream, { maxDataLength: MAX_OPEN_MESSAGE_SIZE })
    const answer = async (status: SiteOpened.Status, message: string, outcome: string): Promise<void> => {
      this.opened?.increment({ [outcome]: true })
      await messages.write({ status, message }, SITE_OPENED, { signal: AbortSignal.timeout(OPEN_TIMEOUT) })
      await stream.close({ signal: AbortSignal.timeout(OPEN_TIMEOUT) })
    }

    try {
      if ((this.inbound.get(peer) ?? 0) >= MAX_TUNNELS_PER_PEER || this.tunnels.size >= MAX_TUNNELS) {
        this.refused?.increment()
        await answer(SiteOpened.Status.REFUSED, `at most ${MAX_TUNNELS_PER_PEER} tunnels per peer: close some`, 'refused')
        return
      }

      const open = await messages.read(SITE_OPEN, { signal: AbortSignal.timeout(OPEN_TIMEOUT) })
      const site = this.siteFor(open.name)

      if (site?.port == null) {
        await answer(site == null ? SiteOpened.Status.NO_SITE : SiteOpened.Status.UNAVAILABLE, site == null ? `no site ${open.name.slice(0, 253)} is published here` : 'the site\'s server is not running', site == null ? 'no_site' : 'unavailable')
        return
      }

      // held until the peer pays, when it owes the disconnect limit
      if (gate != null && !await gate.admit(peer, stream)) {
        this.refused?.increment()
        await answer(SiteOpened.Status.REFUSED, 'pay what you owe first (the payment request was sent)', 'refused')
        return
      }

      const socket = await connectLocal(site.port).catch(() => undefined)

      if (socket == null) {
        await answer(SiteOpened.Status.UNAVAILABLE, 'the site\'s server did not answer', 'unavailable')
        return
      }

      await messages.write({ status: SiteOpened.Status.OK, message: '' }, SITE_OPENED, { signal: AbortSignal.timeout(OPEN_TIMEOUT) })
      this.opened?.increment({ ok: true })
      const tunnel = streamToDuplex(messages.unwrap(), { onData: bytes => { peerTraffic.addReceived(connection.remotePeer, bytes) } })
      this.track(this.inbound, peer, tunnel)
      await join(tunnel, socket).catch(err => {
        this.log('tunnel of %s to %s ended - %s', peer, site.record.name ?? site.record.id, err.message)
        tunnel.destroy()
        socket.destroy()
      })
    } catch (err: any) {
      this.opened?.increment({ failed: true })
      this.log('site stream of %s failed - %s', peer, err.message)
      stream.abort(err)
    }
  }

  /** The site plain onion visitors get: the oldest, kept first */
  private firstSite (): ServedSite | undefined {
    return this.sites.values().next().value
  }

  /** The site a name was resolved to: ours by that name, else our only site */
  private siteFor (name: string): ServedSite | undefined {
    const wanted = name.toLowerCase()
    const named = [...this.sites.values()].find(site => site.record.name === wanted)

    if (named != null) {
      return named
    }

    return this.sites.size === 1 ? [...this.sites.values()][0] : undefined
  }

  private find (site: string): ServedSite | undefined {
    const wanted = site.toLowerCase()
    return this.sites.get(wanted) ?? [...this.sites.values()].find(served => served.record.name === wanted)
  }

  private track (counts: Map<string, number>, peer: string, tunnel: Duplex): void {
    counts.set(peer, (counts.get(peer) ?? 0) + 1)
    this.tunnels.add(tunnel)
    tunnel.once('close', () => {
      this.tunnels.delete(tunnel)
      const left = (counts.get(peer) ?? 1) - 1

      if (left <= 0) {
        counts.delete(peer)
      } else {
        counts.set(peer, left)
      }
    })
  }

  private async serve (record: SiteRecord): Promise<ServedSite> {
    if (record.target != null) {
      return { record, port: Number(new URL(record.target).port) }
    }

    try {
      const server = await serveDirectory(record.dir ?? '', this.log)
      return { record, server, port: server.port }
    } catch (err: any) {
      this.log.error('could not serve %s - %e', record.dir, err)
      return { record }
    }
  }

  private view (site: ServedSite): PublishedSite {
    return { ...site.record, available: site.port != null, plainOnion: this.plainOnion != null && this.firstSite() === site }
  }

  /** What `publish` was given, checked: an absolute directory that exists, or a loopback web server */
  private async check (options: PublishOptions): Promise<SiteRecord> {
    if ((options.dir == null) === (options.target == null)) {
      throw new InvalidSiteError('publish a directory or a --target web server, one of them')
    }

    const name = options.name?.toLowerCase().replace(/\.$/, '')

    if (name != null && routeName(name).kind === 'direct') {
      throw new InvalidSiteError(`${name.slice(0, 253)} is not a TorPlus name: use torplus.<your domain> (a DNS TXT record) or <name>.torplus.eth (ENS)`)
    }

    const base = { id: randomBytes(4).toString('hex'), createdAt: Date.now(), ...(name == null ? {} : { name }) }

    if (options.dir != null) {
      if (!path.isAbsolute(options.dir)) {
        throw new InvalidSiteError(`${options.dir} is not an absolute path`)
      }

      const info = await stat(options.dir).catch(() => undefined)

      if (info?.isDirectory() !== true) {
        throw new InvalidSiteError(`${options.dir} is not a directory`)
      }

      return { ...base, dir: path.resolve(options.dir) }
    }

    let url: URL

    try {
      url = new URL(options.target ?? '')
    } catch {
      throw new InvalidSiteError(`${String(options.target).slice(0, 300)} is not a URL: expected http://127.0.0.1:<port>`)
    }

    if (url.protocol !== 'http:' || !/^127(\.\d{1,3}){3}$/.test(url.hostname) || url.port === '' || url.pathname !== '/' || url.search !== '') {
      throw new InvalidSiteError(`${url.href} is not a local web server: expected http://127.0.0.1:<port> (the site's own server on this machine)`)
    }

    return { ...base, target: `http://${url.host}` }
  }
}

export function siteService (init: SiteServiceInit): (components: SiteServiceComponents) => SiteService {
  return (components) => new SiteService(components, init)
}
