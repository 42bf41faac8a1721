/**
 * Announces the roots of added and pinned content in the background, so an
 * add or a pin answers without waiting on DHT hops over tor. A provide that
 * fails is not retried here: kad-dht keeps our record and its reprovider
 * announces it again (Reprovider.Interval).
 */
import { setMaxListeners } from '@libp2p/interface'
import { Queue } from '@libp2p/utils'
import { anySignal } from 'any-signal'
import type { Routing } from '@helia/interface'
import type { AbortOptions, ComponentLogger, CounterGroup, Logger, Metrics, Startable } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface ProvideQueueComponents {
  routing: Pick<Routing, 'provide'>
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
    this.timeout = init.timeout ?? 120_000
    this.maxQueued = init.maxQueued ?? 1024
    this.queue = new Queue({ concurrency: init.concurrency ?? 2 })
    this.provides = components.metrics?.registerCounterGroup('torplus_dht_provides_total', {
      label: 'result',
      help: 'Provider records announced from the provide queue, by result'
    })
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
        await this.components.routing.provide(cid, { signal: timeout })
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
