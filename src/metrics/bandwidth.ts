/**
 * Totals and rates of bytes in and out over every libp2p connection, for
 * `stats bw`. libp2p hands each connection to its metrics implementation, so
 * this service wraps that implementation's `trackMultiaddrConnection` while
 * it runs and counts on the way through.
 */
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import type { Metrics, MultiaddrConnection, Startable } from '@libp2p/interface'

/** Milliseconds between rate samples */
const DEFAULT_SAMPLE_INTERVAL = 1_000

export interface BandwidthStat {
  totalIn: bigint
  totalOut: bigint
  /** Bytes per second over the last sample interval */
  rateIn: number
  rateOut: number
}

export interface BandwidthCounterInit {
  /**
   * Milliseconds between rate samples
   *
   * @default 1_000
   */
  sampleInterval?: number
}

export interface BandwidthCounterComponents {
  /** Without metrics, nothing is counted */
  metrics?: Metrics
}

export class BandwidthCounter implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:metrics:bandwidth'
  readonly [serviceCapabilities] = ['@torplus/bandwidth']
  readonly [serviceDependencies] = ['@libp2p/metrics']
  private readonly components: BandwidthCounterComponents
  private readonly sampleInterval: number
  private track?: Metrics['trackMultiaddrConnection']
  private totalIn = 0n
  private totalOut = 0n
  private last = { in: 0n, out: 0n, at: 0 }
  private rate = { in: 0, out: 0 }
  private timer?: ReturnType<typeof setInterval>

  constructor (components: BandwidthCounterComponents, init: BandwidthCounterInit = {}) {
    this.components = components
    this.sampleInterval = init.sampleInterval ?? DEFAULT_SAMPLE_INTERVAL
  }

  isStarted (): boolean {
    return this.timer != null
  }

  start (): void {
    if (this.timer != null) {
      return
    }

    // libp2p's upgrader calls this for each connection, before any is made
    const { metrics } = this.components

    if (metrics != null) {
      const track = this.track = metrics.trackMultiaddrConnection
      metrics.trackMultiaddrConnection = (maConn: MultiaddrConnection) => {
        track.call(metrics, maConn)
        this.count(maConn)
      }
    }

    this.last = { in: this.totalIn, out: this.totalOut, at: Date.now() }
    this.timer = setInterval(() => { this.sample() }, this.sampleInterval)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined

    if (this.track != null && this.components.metrics != null) {
      this.components.metrics.trackMultiaddrConnection = this.track
      this.track = undefined
    }
  }

  stat (): BandwidthStat {
    return { totalIn: this.totalIn, totalOut: this.totalOut, rateIn: this.rate.in, rateOut: this.rate.out }
  }

  private count (maConn: MultiaddrConnection): void {
    // observe dispatched messages rather than adding a listener, which would
    // make the connection emit data before its reader is attached
    const dispatchEvent = maConn.dispatchEvent.bind(maConn)
    maConn.dispatchEvent = (evt: any) => {
      if (evt.type === 'message') {
        this.totalIn += BigInt(evt.data.byteLength)
      }

      return dispatchEvent(evt)
    }

    const send = maConn.send.bind(maConn)
    maConn.send = (data) => {
      this.totalOut += BigInt(data.byteLength)
      return send(data)
    }
  }

  private sample (): void {
    const now = Date.now()
    const seconds = Math.max((now - this.last.at) / 1000, 0.001)
    this.rate = {
      in: Number(this.totalIn - this.last.in) / seconds,
      out: Number(this.totalOut - this.last.out) / seconds
    }
    this.last = { in: this.totalIn, out: this.totalOut, at: now }
  }
}

/**
 * Count bytes in and out over every connection; needs libp2p's metrics
 */
export function bandwidthCounter (init: BandwidthCounterInit = {}): (components: BandwidthCounterComponents) => BandwidthCounter {
  return (components) => new BandwidthCounter(components, init)
}
