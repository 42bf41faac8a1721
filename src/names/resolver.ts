/**
 * The name resolver: a TorPlus name (see `routeName`) to the onion of the
 * node that publishes its site. TXT records come from the DNS servers in
 * order (a server that fails passes the name to the next; NXDOMAIN is
 * final), ENS names from the JSON-RPC endpoint. In private mode (onion
 * networking) nothing leaves the machine in the clear: DoH and JSON-RPC go
 * through tor's SocksPort unless their server is on loopback, and plain DNS
 * is accepted only to a loopback server.
 */
import { isIP } from 'node:net'
import { serviceCapabilities, TimeoutError } from '@libp2p/interface'
import { setNewest } from '../utils/bounded-map.js'
import { TtlCache } from './cache.js'
import { ALIAS_LIFETIME, DEFAULT_DNS_SERVERS, DEFAULT_ENS_REGISTRY, DEFAULT_ETH_RPC, DEFAULT_LOOKUP_TIMEOUT, ENS_TTL, MAX_ALIASES, MAX_CACHED_NAMES, MAX_LOOKUPS_IN_FLIGHT, MAX_TTL, MIN_TTL, NEGATIVE_TTL } from './constants.js'
import { dohSource, udpSource } from './dns.js'
import { ensSource } from './ens.js'
import { InvalidAliasError, NameLookupTimeoutError, NameLookupUnavailableError, NameNotFoundError, NameServerError, NotATorPlusNameError } from './errors.js'
import { routeName } from './route.js'
import { onionFromTxt } from './txt.js'
import type { Answer } from './cache.js'
import type { TxtSource } from './dns.js'
import type { EnsSource } from './ens.js'
import type { Connector } from './http.js'
import type { NameRoute } from './route.js'
import type { AbortOptions, ComponentLogger, CounterGroup, Logger, Metrics, Startable } from '@libp2p/interface'
import type { Hex } from 'viem'

export interface NameResolverInit {
  /**
   * TXT record servers, asked in order: `https://…` (DNS over HTTPS), or
   * `dns://<address>:<port>` and `http://…` on loopback only
   *
   * @default DEFAULT_DNS_SERVERS
   */
  dns?: string[]

  /** The Ethereum JSON-RPC endpoint; null: ENS names are not resolved @default DEFAULT_ETH_RPC */
  ethRpc?: string | null

  /** @default DEFAULT_ENS_REGISTRY */
  ensRegistry?: string

  /** Milliseconds for one lookup @default DEFAULT_LOOKUP_TIMEOUT */
  timeout?: number

  /**
   * How to reach a name server that is not on loopback; without one they
   * are reached directly. Set in onion mode: tor's SocksPort
   */
  connect?: Connector

  /** The node runs offline: nothing is looked up */
  offline?: boolean
}

export interface NameResolverComponents {
  logger: ComponentLogger
  metrics?: Metrics
}

export interface Resolution {
  /** The name looked up: the TXT name, or the ENS name */
  name: string
  via: 'dns' | 'ens'
  /** `<56 characters>.onion` */
  onion: string
}

export class NameResolver implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:names'
  readonly [serviceCapabilities] = ['@torplus/names']

  private readonly log: Logger
  private readonly timeout: number
  private readonly offline: boolean
  private readonly dns: Array<{ server: string, source: TxtSource }>
  private readonly ens?: EnsSource
  private readonly cache: TtlCache<Resolution>
  private readonly lookups?: CounterGroup
  private readonly aliases = new Map<string, { target: string, expires: number }>()

  constructor (components: NameResolverComponents, init: NameResolverInit = {}) {
    this.log = components.logger.forComponent('torplus:names')
    this.timeout = init.timeout ?? DEFAULT_LOOKUP_TIMEOUT
    this.offline = init.offline === true
    this.dns = (init.dns ?? DEFAULT_DNS_SERVERS).map(server => ({ server, source: txtSource(server, init.connect) }))
    const ethRpc = init.ethRpc === undefined ? DEFAULT_ETH_RPC : init.ethRpc
    this.ens = ethRpc == null ? undefined : ensSource({ rpc: serverUrl(ethRpc, ['https:', 'http:']), registry: (init.ensRegistry ?? DEFAULT_ENS_REGISTRY) as Hex, connect: outside(serverUrl(ethRpc, ['https:', 'http:']), init.connect) })
    this.cache = new TtlCache({
      maxEntries: MAX_CACHED_NAMES,
      maxInFlight: MAX_LOOKUPS_IN_FLIGHT,
      errorTtl: NEGATIVE_TTL,
      cacheable: err => err instanceof NameNotFoundError
    })
    this.lookups = components.metrics?.registerCounterGroup('torplus_names_lookups_total', {
      label: 'outcome',
      help: 'Name lookups that reached a server, by outcome: an onion found, no onion for the name, the servers failed or timed out'
    })
  }

  start (): void {}

  stop (): void {
    this.cache.clear()
    this.aliases.clear()
  }

  /**
   * The onion of a TorPlus name: a URL (`http://sites.torplus.com/#video`)
   * or a host (`torplus.example.com`, `video.torplus.eth`)
   */
  async resolve (target: string, options: AbortOptions = {}): Promise<Resolution> {
    const route = this.routeOf(target)

    if (route.kind === 'direct') {
      throw new NotATorPlusNameError(target)
    }

    if (this.offline) {
      throw new NameLookupUnavailableError('the node runs offline: start it with networking to resolve names')
    }

    const ens = this.ens

    if (route.kind === 'ens' && ens == null) {
      throw new NameLookupUnavailableError(`Names.EthRpc is not set, so ${route.name} cannot be read from ENS: set it with \`torplus config set Names.EthRpc <url>\``)
    }

    return this.cache.get(`${route.kind}:${route.name}`, async () => this.counted(async () => {
      const signal = AbortSignal.timeout(this.timeout)

      try {
        return route.kind === 'ens' && ens != null
          ? { value: { name: route.name, via: 'ens', onion: await ens.onion(route.name, { signal, timeout: this.timeout }) }, ttl: ENS_TTL }
          : await this.fromDns(route.name, signal)
      } catch (err: any) {
        if (signal.aborted || err instanceof TimeoutError) {
          throw new NameLookupTimeoutError(route.name, this.timeout)
        }

        throw err
      }
    }), options)
  }

  /**
   * Have `host` stand for `target` (a TorPlus name) for a while: the browser
   * sends the proxy `sites.torplus.com` without the `#keyword` that names the
   * site, so the extension says which keyword it opened. The target is
   * resolved first; a host that is a TorPlus name itself cannot be aliased
   */
  async alias (host: string, target: string, options: AbortOptions = {}): Promise<Resolution> {
    const from = routeName(host)

    if (from.kind !== 'direct' || from.host === '') {
      throw new InvalidAliasError(host)
    }

    const resolution = await this.resolve(target, options)
    setNewest(this.aliases, from.host, { target, expires: Date.now() + ALIAS_LIFETIME }, MAX_ALIASES)
    return resolution
  }

  /** Whether `host` stands for a name now (see `alias`) */
  hasAlias (host: string): boolean {
    const route = routeName(host)
    return route.kind === 'direct' && (this.aliases.get(route.host)?.expires ?? 0) > Date.now()
  }

  /** How `target` is looked up, through a live alias of its host */
  private routeOf (target: string): NameRoute {
    const route = routeName(target)

    if (route.kind !== 'direct') {
      return route
    }

    const alias = this.aliases.get(route.host)

    if (alias == null || alias.expires < Date.now()) {
      this.aliases.delete(route.host)
      return route
    }

    return routeName(alias.target)
  }

  private async fromDns (name: string, signal: AbortSignal): Promise<Answer<Resolution>> {
    let failure: Error | undefined

    for (const { server, source } of this.dns) {
      try {
        const answer = await source.txt(name, { signal, timeout: this.timeout })
        const found = onionFromTxt(answer.records)
        found.skipped.forEach(why => { this.log('%s: skipped a TXT record - %s', name, why) })

        if (found.onion == null) {
          throw new NameNotFoundError(name, whyNoOnion(answer.records.length, found.skipped))
        }

        return { value: { name, via: 'dns', onion: found.onion }, ttl: Math.min(MAX_TTL, Math.max(MIN_TTL, answer.ttl)) }
      } catch (err: any) {
        if (err instanceof NameNotFoundError || signal.aborted) {
          throw err
        }

        this.log('%s did not answer for %s - %s', server, name, err.message)
        failure = err
      }
    }

    throw failure ?? new NameLookupUnavailableError('Names.Dns lists no server: add one with `torplus config set --json Names.Dns \'["https://…/dns-query"]\'`')
  }

  private async counted (lookup: () => Promise<Answer<Resolution>>): Promise<Answer<Resolution>> {
    try {
      const answer = await lookup()
      this.lookups?.increment({ found: true })
      return answer
    } catch (err) {
      this.lookups?.increment(err instanceof NameNotFoundError ? { not_found: true } : { failed: true })
      throw err
    }
  }
}

function whyNoOnion (records: number, skipped: string[]): string {
  if (records === 0) {
    return 'it has no TXT records'
  }

  return skipped.length === 0 ? 'none of its TXT records is torplus=<onion>' : `its torplus= records are malformed (${skipped[0]})`
}

/** What is wrong with a `Names.Dns` entry, if anything: only a loopback server is asked in the clear */
export function nameServerProblem (server: string): string | undefined {
  try {
    txtSource(server)
    return undefined
  } catch (err: any) {
    return err.message
  }
}

/** A TXT source for a `Names.Dns` entry */
function txtSource (server: string, connect?: Connector): TxtSource {
  const url = serverUrl(server, ['https:', 'http:', 'dns:'])

  if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) {
    throw new NameServerError(server, 'is not on loopback, and would be asked in the clear: use DNS over HTTPS (https://…/dns-query)')
  }

  return url.protocol === 'dns:' ? udpSource(url) : dohSource(url, outside(url, connect))
}

/** The connector for a server off this machine; none for loopback, which is reached directly */
function outside (url: URL, connect?: Connector): Connector | undefined {
  return isLoopbackHost(url.hostname) ? undefined : connect
}

function serverUrl (server: string, protocols: string[]): URL {
  let url: URL

  try {
    url = new URL(server)
  } catch {
    throw new NameServerError(server, `is not a URL: expected ${protocols.map(p => `${p}//…`).join(' or ')}`)
  }

  if (!protocols.includes(url.protocol)) {
    throw new NameServerError(server, `is not a URL: expected ${protocols.map(p => `${p}//…`).join(' or ')}`)
  }

  return url
}

function isLoopbackHost (hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1')
  return (isIP(host) === 4 && host.startsWith('127.')) || host === '::1'
}

export function nameResolver (init: NameResolverInit = {}): (components: NameResolverComponents) => NameResolver {
  return (components) => new NameResolver(components, init)
}
