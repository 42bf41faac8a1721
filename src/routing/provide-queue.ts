/**
 * Announces the roots of added and pinned content in the background, so an
 * add or a pin answers without waiting on DHT hops over tor. A provide that
 * fails is not retried here: kad-dht keeps our record and its reprovider
 * announces it again (Reprovider.Interval).
 */
import { serviceCapabilities, serviceDependencies, setMaxListeners } from '@libp2p/interface'
import { Queue } from '@libp2p/utils'
import { anySignal } from 'any-signal'
import { DEFAULT_PROVIDE_CONCURRENCY, DEFAULT_PROVIDE_MAX_QUEUED, DEFAULT_PROVIDE_TIMEOUT } from './constants.js'
import type { AbortOptions, ComponentLogger, ContentRouting, CounterGroup, Logger, Metrics, Startable } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface ProvideQueueComponents {
  contentRouting: Pick<ContentRouting, 'provide'>
  logger: ComponentLogger
  metrics?: Metrics
}

export interface ProvideQueueInit {
  /**
   * Milliseconds one provide may take
   *
   * @default 120_000
   */
  timeout?: number

  /**
   * Provides running at once
   *
   * @default 2
   */
  concurrency?: number

  /**
   * Provides waiting at most; more are dropped (and logged) until the
   * reprovider's next round
   *
   * @default 1024
   */
  maxQueued?: number
}

interface ProvideJobOptions extends AbortOptions {
  cid: CID
}

export class ProvideQueue implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:provide-queue'
  readonly [serviceCapabilities] = ['@torplus/provide-queue']
  readonly [serviceDependencies] = ['@libp2p/content-routing']
  private readonly components: ProvideQueueComponents
  private readonly log: Logger
  private readonly timeout: number
  private readonly maxQueued: number
  private readonly queue: Queue<void, ProvideJobOptions>
  private readonly provides?: CounterGroup<'ok' | 'failed' | 'dropped'>
  private shutdown?: AbortController

  constructor (components: ProvideQueueComponents, init: ProvideQueueInit = {}) {
    this.components = components
    this.log = components.logger.forComponent('torplus:routing:provide-queue')
    this.timeout = init.timeout ?? DEFAULT_PROVIDE_TIMEOUT
    this.maxQueued = init.maxQueued ?? DEFAULT_PROVIDE_MAX_QUEUED
    this.queue = new Queue({ concurrency: init.concurrency ?? DEFAULT_PROVIDE_CONCURRENCY })
    this.provides = components.metrics?.registerCounterGroup('torplus_dht_provides_total', {
      label: 'result',
      help: 'Provider records announced from the provide queue, by result'
    })
  }

  isStarted (): boolean {
    return this.shutdown != null
  }

  start (): void {
    this.shutdown = new AbortController()
    setMaxListeners(Infinity, this.shutdown.signal)
  }

  stop (): void {
    this.shutdown?.abort()
    this.shutdown = undefined
    this.queue.abort()
  }

  /** CIDs waiting or being announced */
  get size (): number {
    return this.queue.size
  }

  /**
   * Queue an announcement; returns at once
   */
  provide (cid: CID): void {
    const shutdown = this.shutdown

    if (shutdown == null || this.queue.queue.some(job => job.options.cid.equals(cid))) {
      return
    }

    if (this.queue.size >= this.maxQueued) {
      this.log('provide queue full, %c waits for the reprovider', cid)
      this.provides?.increment({ dropped: true })
      return
    }

    this.queue.add(async ({ signal }) => {
      const timeout = anySignal([signal, AbortSignal.timeout(this.timeout)])

      try {
        await this.components.contentRouting.provide(cid, { signal: timeout })
        this.log('provided %c', cid)
        this.provides?.increment({ ok: true })
      } finally {
        timeout.clear()
      }
    }, { cid, signal: shutdown.signal })
      .catch((err: Error) => {
        this.provides?.increment({ failed: true })
        this.log.error('could not provide %c, the reprovider will try again - %e', cid, err)
      })
  }
}

/**
 * Announce added and pinned roots in the background; needs content routing
 * (the DHT)
 */
export function provideQueue (init: ProvideQueueInit = {}): (components: ProvideQueueComponents) => ProvideQueue {
  return (components) => new ProvideQueue(components, init)
}
