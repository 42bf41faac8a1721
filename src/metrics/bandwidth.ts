/**
 * Totals and rates of bytes in and out over every libp2p connection, for
 * `stats bw`. libp2p hands each connection to its metrics implementation, so
 * this wraps that implementation and counts on the way through.
 */
import type { Metrics, MultiaddrConnection, Startable } from '@libp2p/interface'

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

export class BandwidthCounter implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:metrics:bandwidth'
  private readonly sampleInterval: number
  private totalIn = 0n
  private totalOut = 0n
  private last = { in: 0n, out: 0n, at: 0 }
  private rate = { in: 0, out: 0 }
  private timer?: ReturnType<typeof setInterval>

  constructor (init: BandwidthCounterInit = {}) {
    this.sampleInterval = init.sampleInterval ?? 1_000
  }

  start (): void {
    if (this.timer != null) {
      return
    }

    this.last = { in: this.totalIn, out: this.totalOut, at: Date.now() }
    this.timer = setInterval(() => { this.sample() }, this.sampleInterval)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  stat (): BandwidthStat {
    return { totalIn: this.totalIn, totalOut: this.totalOut, rateIn: this.rate.in, rateOut: this.rate.out }
  }

  /**
   * Wrap a libp2p metrics factory so every connection is counted here too
   */
  wrap <C>(factory: (components: C) => Metrics): (components: C) => Metrics {
    return (components) => {
      const metrics = factory(components)
      const track = metrics.trackMultiaddrConnection.bind(metrics)

      metrics.trackMultiaddrConnection = (maConn: MultiaddrConnection) => {
        track(maConn)
        this.count(maConn)
      }

      return metrics
    }
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
