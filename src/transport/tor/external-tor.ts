/**
 * An existing tor (Tor.Mode "external"): we attach to its control port and
 * use its SocksPort. If the control connection drops (tor restarted), we
 * reconnect on a timer and announce the restart so onion services are
 * published again.
 */
import { TypedEventEmitter } from 'main-event'
import { CustomProgressEvent } from 'progress-events'
import { DEFAULT_BOOTSTRAP_TIMEOUT, DEFAULT_EXTERNAL_RECONNECT_ATTEMPTS, DEFAULT_EXTERNAL_RECONNECT_INTERVAL } from '../constants.js'
import { TorNotRunningError } from '../errors.js'
import { TorControl } from './control/index.js'
import { waitForBootstrap } from './wait-for-bootstrap.js'
import type { BootstrapProgressEvents } from './wait-for-bootstrap.js'
import type { TorProvider, TorProviderEvents } from '../index.js'
import type { AbortOptions, ComponentLogger, Logger, Startable } from '@libp2p/interface'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

export interface ExternalTorInit {
  control: { host: string, port: number }
  socks: { host: string, port: number }
  logger: ComponentLogger
  /** For HASHEDPASSWORD authentication */
  password?: string
  /** Overrides the cookie file tor reports */
  cookieFile?: string

  /**
   * Milliseconds to wait for tor to be bootstrapped
   *
   * @default 120_000
   */
  bootstrapTimeout?: number

  /**
   * Milliseconds between reconnection attempts after the control connection drops
   *
   * @default 5_000
   */
  reconnectInterval?: number

  /**
   * Attempts before giving up on a tor that went away
   *
   * @default 60
   */
  reconnectAttempts?: number
}

export type ExternalTorProgressEvents = BootstrapProgressEvents | ProgressEvent<'tor:ready', { socks: string }>

export class ExternalTor extends TypedEventEmitter<TorProviderEvents> implements Startable, TorProvider {
  readonly [Symbol.toStringTag] = 'torplus:external-tor'
  readonly socks: { host: string, port: number }
  private readonly init: ExternalTorInit
  private readonly log: Logger
  private connection?: TorControl
  private stopped = true

  constructor (init: ExternalTorInit) {
    super()
    this.init = init
    this.socks = init.socks
    this.log = init.logger.forComponent('torplus:external-tor')
  }

  get control (): TorControl {
    if (this.connection == null) {
      throw new TorNotRunningError()
    }

    return this.connection
  }

  isStarted (): boolean {
    return this.connection != null
  }

  async start (options: AbortOptions & ProgressOptions<ExternalTorProgressEvents> = {}): Promise<void> {
    if (this.connection != null) {
      return
    }

    this.stopped = false
    await this.attach(options)
  }

  stop (): void {
    this.stopped = true
    this.connection?.close()
    this.connection = undefined
  }

  private async attach (options: AbortOptions & ProgressOptions<ExternalTorProgressEvents>): Promise<void> {
    const control = await TorControl.connect({ ...this.init.control, logger: this.init.logger }, options)

    try {
      await control.authenticate({ password: this.init.password, cookieFile: this.init.cookieFile, signal: options.signal })
      await waitForBootstrap(control, { ...options, timeout: this.init.bootstrapTimeout ?? DEFAULT_BOOTSTRAP_TIMEOUT, log: 'the external tor\'s log' })
    } catch (err) {
      control.close()
      throw err
    }

    control.addEventListener('close', () => { void this.reconnect(control) }, { once: true })
    this.connection = control
    options.onProgress?.(new CustomProgressEvent('tor:ready', { socks: `${this.socks.host}:${this.socks.port}` }))
  }

  private async reconnect (lost: TorControl): Promise<void> {
    if (this.stopped || this.connection !== lost) {
      return
    }

    this.connection = undefined
    const downAt = Date.now()
    const attempts = this.init.reconnectAttempts ?? DEFAULT_EXTERNAL_RECONNECT_ATTEMPTS

    for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
      await new Promise(resolve => setTimeout(resolve, this.init.reconnectInterval ?? DEFAULT_EXTERNAL_RECONNECT_INTERVAL))

      try {
        await this.attach({})
        this.log('reattached to tor after %d attempts', attempt)
        this.safeDispatchEvent('restarted', { detail: { downAt } })
        return
      } catch (err: any) {
        this.log('tor still unreachable (attempt %d of %d) - %s', attempt, attempts, err.message)
      }
    }

    this.log.error('gave up reattaching to tor at %s:%d', this.init.control.host, this.init.control.port)
  }
}
