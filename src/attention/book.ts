/**
 * The attention book: seconds the user spent on each TorPlus site, per UTC
 * day, as the browser extension reports them, kept in the repo's datastore
 * for `keepDays`. Only the extension and local tools report (the extension
 * API refuses web pages), yet every report is bounded: a TorPlus name, at
 * most MAX_REPORT_SECONDS, a day's total per site capped, and a day records
 * at most MAX_SITES_PER_DAY sites.
 *
 * Paying site owners for attention is opt-in: with a price per minute and a
 * way to pay (`owners`), every second recorded is owed to the site's owner,
 * and what is owed is paid every `payInterval` (dues.ts).
 */
import { serviceCapabilities } from '@libp2p/interface'
import { Key } from 'interface-datastore'
import { z } from 'zod'
import { routeName } from '../names/index.js'
import { KeyedSerializer } from '../utils/keyed-serializer.js'
import { DEFAULT_KEEP_DAYS, DEFAULT_PAY_INTERVAL, MAX_REPORT_SECONDS, MAX_SECONDS_PER_DAY, MAX_SITES_PER_DAY } from './constants.js'
import { AttentionDues } from './dues.js'
import { AttentionFullError, AttentionPaymentsOffError, InvalidAttentionError } from './errors.js'
import type { AttentionPayment, SiteDue, SiteOwners } from './dues.js'
import type { AbortOptions, ComponentLogger, Logger, Startable } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

const PREFIX = '/torplus/attention'
const DAY_MS = 86_400_000

const EntrySchema = z.strictObject({ seconds: z.number().int().min(0).max(MAX_SECONDS_PER_DAY) })

export interface AttentionBookComponents {
  logger: ComponentLogger
}

export interface AttentionBookInit {
  datastore: Datastore
  /** Days of attention kept @default 90 */
  keepDays?: number
  /** Stroops owed to a site's owner per minute spent on it; 0 pays nothing @default 0n */
  pricePerMinute?: bigint
  /** Where site owners are found and paid; without it nothing is owed */
  owners?: SiteOwners
  /** Milliseconds between rounds of paying what is owed @default 600_000 */
  payInterval?: number
}

export interface AttentionRecorded {
  /** The site's name as TorPlus knows it (`video.torplus.eth` for sites.torplus.com/#video) */
  site: string
  /** The UTC day, YYYY-MM-DD */
  day: string
  /** The site's seconds that day, this report included */
  seconds: number
}

export interface SiteAttention {
  site: string
  /** Seconds over the days asked for */
  seconds: number
  days: Array<{ day: string, seconds: number }>
}

export class AttentionBook implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:attention'
  readonly [serviceCapabilities] = ['@torplus/attention']

  private readonly datastore: Datastore
  private readonly keepDays: number
  private readonly log: Logger
  private readonly writes = new KeyedSerializer()
  private readonly dues?: AttentionDues
  private readonly payInterval: number
  private payTimer?: ReturnType<typeof setInterval>
  /** The sites of the one day written to last */
  private sitesOf?: { day: string, sites: Set<string> }
  private started = false

  constructor (components: AttentionBookComponents, init: AttentionBookInit) {
    this.datastore = init.datastore
    this.keepDays = init.keepDays ?? DEFAULT_KEEP_DAYS
    this.log = components.logger.forComponent('torplus:attention')
    this.payInterval = init.payInterval ?? DEFAULT_PAY_INTERVAL
    const pricePerMinute = init.pricePerMinute ?? 0n

    if (pricePerMinute > 0n && init.owners != null) {
      this.dues = new AttentionDues({ datastore: init.datastore, pricePerMinute, owners: init.owners, log: this.log.newScope('pay') })
    }
  }

  isStarted (): boolean {
    return this.started
  }

  start (): void {
    this.started = true
    // a scan of the book: not something the node's start waits for
    this.prune().catch(err => { this.log.error('could not drop old attention - %e', err) })

    if (this.dues != null) {
      this.payTimer = setInterval(() => {
        this.pay().catch(err => { this.log.error('could not pay for attention - %e', err) })
      }, this.payInterval)
      this.payTimer.unref()
    }
  }

  stop (): void {
    clearInterval(this.payTimer)
    this.started = false
  }

  /** Add `seconds` spent on the site `target` (a TorPlus name or URL) now */
  async record (target: string, seconds: number, options: AbortOptions & { now?: number } = {}): Promise<AttentionRecorded> {
    const site = siteOf(target)

    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_REPORT_SECONDS) {
      throw new InvalidAttentionError(`a report adds 1 to ${MAX_REPORT_SECONDS} whole seconds, not ${String(seconds).slice(0, 20)}`)
    }

    const day = dayOf(options.now ?? Date.now())

    return this.writes.run('attention', async () => {
      const sites = await this.sitesOn(day, options)

      if (!sites.has(site) && sites.size >= MAX_SITES_PER_DAY) {
        throw new AttentionFullError(day, sites.size)
      }

      const key = new Key(`${PREFIX}/${day}/${site}`)
      const before = await this.read(key, options)
      const total = Math.min(MAX_SECONDS_PER_DAY, before + seconds)
      await this.datastore.put(key, new TextEncoder().encode(JSON.stringify({ seconds: total })), options)
      // owed for the seconds the day's cap let in
      await this.dues?.accrue(site, total - before, options)
      sites.add(site)
      return { site, day, seconds: total }
    })
  }

  /** Attention per site over the last `days` UTC days (today included), most first */
  async report (days: number, options: AbortOptions & { now?: number } = {}): Promise<SiteAttention[]> {
    // days past keepDays are not reported, pruned yet or not
    const first = dayOf((options.now ?? Date.now()) - DAY_MS * (Math.min(Math.max(1, days), this.keepDays) - 1))
    const bySite = new Map<string, SiteAttention>()

    for await (const { key, value } of this.datastore.query({ prefix: PREFIX }, options)) {
      const [day, site] = key.toString().slice(PREFIX.length + 1).split('/')

      if (day < first || site == null) {
        continue
      }

      const seconds = parseSeconds(value)
      const entry = bySite.get(site) ?? { site, seconds: 0, days: [] }
      entry.seconds += seconds
      entry.days.push({ day, seconds })
      bySite.set(site, entry)
    }

    return [...bySite.values()]
      .map(entry => ({ ...entry, days: entry.days.sort((a, b) => a.day.localeCompare(b.day)) }))
      .sort((a, b) => b.seconds !== a.seconds ? b.seconds - a.seconds : a.site.localeCompare(b.site))
  }

  /** What is owed to each site's owner and paid of it, most due first; none while paying is off */
  async owed (options: AbortOptions = {}): Promise<SiteDue[]> {
    return this.dues?.list(options) ?? []
  }

  /** Pay site owners what is owed now, rather than at the next round */
  async pay (options: AbortOptions = {}): Promise<AttentionPayment[]> {
    if (this.dues == null) {
      throw new AttentionPaymentsOffError()
    }

    const dues = this.dues
    // one round at a time: a site is offered its due once
    return this.writes.run('pay', async () => dues.pay(async (task) => this.writes.run('attention', task), options))
  }

  private async sitesOn (day: string, options: AbortOptions): Promise<Set<string>> {
    if (this.sitesOf?.day !== day) {
      if (this.sitesOf != null) {
        // a new day: the oldest one goes
        this.prune().catch(err => { this.log.error('could not drop old attention - %e', err) })
      }

      const sites = new Set<string>()

      for await (const key of this.datastore.queryKeys({ prefix: `${PREFIX}/${day}` }, options)) {
        sites.add(key.baseNamespace())
      }

      this.sitesOf = { day, sites }
    }

    return this.sitesOf.sites
  }

  private async read (key: Key, options: AbortOptions): Promise<number> {
    try {
      return parseSeconds(await this.datastore.get(key, options))
    } catch (err: any) {
      if (err.name === 'NotFoundError') {
        return 0
      }

      throw err
    }
  }

  /** Drop the days past `keepDays` */
  private async prune (): Promise<void> {
    const oldest = dayOf(Date.now() - DAY_MS * (this.keepDays - 1))

    for await (const key of this.datastore.queryKeys({ prefix: PREFIX })) {
      if (key.toString().slice(PREFIX.length + 1).split('/')[0] < oldest) {
        await this.datastore.delete(key)
      }
    }
  }
}

/** The name a report is kept under: a TorPlus name's own form */
function siteOf (target: string): string {
  const route = routeName(String(target).slice(0, 2048))

  if (route.kind === 'direct' || !/^[a-z0-9.-]{1,253}$/.test(route.name)) {
    throw new InvalidAttentionError(`${String(target).slice(0, 253)} is not a TorPlus site: attention is recorded for torplus.<domain> and <name>.eth sites`)
  }

  return route.name
}

function dayOf (ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

function parseSeconds (value: Uint8Array): number {
  try {
    const parsed = EntrySchema.safeParse(JSON.parse(new TextDecoder().decode(value)))
    return parsed.success ? parsed.data.seconds : 0
  } catch {
    return 0
  }
}

export function attentionBook (init: AttentionBookInit): (components: AttentionBookComponents) => AttentionBook {
  return (components) => new AttentionBook(components, init)
}
