/**
 * A tor process the node owns (Tor.Mode "managed"): its torrc and data live
 * in the repo, its SocksPort and ControlPort are on 127.0.0.1 at ports tor
 * picks, control is authenticated with a cookie. start() resolves once tor
 * has bootstrapped, reporting progress; a tor that dies is started again.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { TypedEventEmitter } from 'main-event'
import { CustomProgressEvent } from 'progress-events'
import { stopProcess } from '../../utils/processes.js'
import { DEFAULT_BOOTSTRAP_TIMEOUT } from '../constants.js'
import { TorBootstrapTimeoutError, TorExitedError, TorNotInstalledError, TorNotRunningError } from '../errors.js'
import { TorControl } from './control/index.js'
import { waitForBootstrap } from './wait-for-bootstrap.js'
import type { BootstrapProgressEvents } from './wait-for-bootstrap.js'
import type { TorProviderEvents } from '../index.js'
import type { AbortOptions, ComponentLogger, Logger, Startable } from '@libp2p/interface'
import type { ChildProcess } from 'node:child_process'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

export interface ManagedTorInit {
  /** Folder for the torrc, tor's data and logs; created 0700 */
  dir: string
  logger: ComponentLogger

  /**
   * The tor binary
   *
   * @default 'tor'
   */
  torPath?: string

  /**
   * Extra torrc lines, e.g. those that join a private test network
   *
   * @default []
   */
  extraConfig?: string[]

  /**
   * Milliseconds to wait for tor to bootstrap
   *
   * @default 120_000
   */
  bootstrapTimeout?: number

  /**
   * Start tor again when it exits unexpectedly
   *
   * @default true
   */
  restart?: boolean
}

export type ManagedTorProgressEvents =
  ProgressEvent<'tor:spawned', { pid: number }> |
  BootstrapProgressEvents |
  ProgressEvent<'tor:ready', { socks: string }>

export class ManagedTor extends TypedEventEmitter<TorProviderEvents> implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:tor-process'
  private readonly dir: string
  private readonly torPath: string
  private readonly extraConfig: string[]
  private readonly bootstrapTimeout: number
  private readonly restart: boolean
  private readonly logger: ComponentLogger
  private readonly log: Logger
  private child?: ChildProcess
  private controlConnection?: TorControl
  private socksAddress?: { host: string, port: number }
  private stopping = false

  constructor (init: ManagedTorInit) {
    super()
    this.dir = init.dir
    this.torPath = init.torPath ?? 'tor'
    this.extraConfig = init.extraConfig ?? []
    this.bootstrapTimeout = init.bootstrapTimeout ?? DEFAULT_BOOTSTRAP_TIMEOUT
    this.restart = init.restart ?? true
    this.logger = init.logger
    this.log = init.logger.forComponent('torplus:tor-process')
  }

  get control (): TorControl {
    if (this.controlConnection == null) {
      throw new TorNotRunningError()
    }

    return this.controlConnection
  }

  get socks (): { host: string, port: number } {
    if (this.socksAddress == null) {
      throw new TorNotRunningError()
    }

    return this.socksAddress
  }

  get pid (): number | undefined {
    return this.child?.pid
  }

  get noticeLog (): string {
    return path.join(this.dir, 'notice.log')
  }

  isStarted (): boolean {
    return this.controlConnection != null
  }

  async start (options: AbortOptions & ProgressOptions<ManagedTorProgressEvents> = {}): Promise<void> {
    if (this.controlConnection != null) {
      return
    }

    this.stopping = false
    await this.launch(options)
  }

  async stop (): Promise<void> {
    this.stopping = true
    this.controlConnection?.close()
    this.controlConnection = undefined
    this.socksAddress = undefined
    const child = this.child
    this.child = undefined
    await stopProcess(child, 10_000)
  }

  private async launch (options: AbortOptions & ProgressOptions<ManagedTorProgressEvents>): Promise<void> {
    const dataDirectory = path.join(this.dir, 'data')
    const portFile = path.join(this.dir, 'control-port')
    const cookieFile = path.join(this.dir, 'control_auth_cookie')
    const torrc = path.join(this.dir, 'torrc')
    const defaults = path.join(this.dir, 'torrc.defaults')

    await fs.mkdir(dataDirectory, { recursive: true, mode: 0o700 })
    await fs.rm(portFile, { force: true })
    await fs.writeFile(defaults, '')
    await fs.writeFile(torrc, [
      `DataDirectory ${dataDirectory}`,
      'SocksPort 127.0.0.1:auto',
      'ControlPort 127.0.0.1:auto',
      `ControlPortWriteToFile ${portFile}`,
      'CookieAuthentication 1',
      `CookieAuthFile ${cookieFile}`,
      `Log notice file ${this.noticeLog}`,
      'ClientOnly 1',
      'RunAsDaemon 0',
      // tor exits by itself if this process dies, even by SIGKILL
      `__OwningControllerProcess ${process.pid}`,
      ...this.extraConfig
    ].join('\n') + '\n', { mode: 0o600 })

    const child = spawn(this.torPath, ['-f', torrc, '--defaults-torrc', defaults], { stdio: 'ignore' })
    this.child = child

    const failed = new Promise<never>((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        reject(err.code === 'ENOENT' ? new TorNotInstalledError(this.torPath) : err)
      })
      child.once('exit', (code) => { reject(new TorExitedError(code, this.noticeLog)) })
    })
    failed.catch(() => {})

    try {
      await Promise.race([failed, this.connect(portFile, cookieFile, options)])
    } catch (err) {
      child.kill('SIGKILL')
      this.child = undefined
      throw err
    }

    options.onProgress?.(new CustomProgressEvent('tor:spawned', { pid: child.pid ?? 0 }))
    child.once('exit', (code) => { void this.onExit(child, code) })
  }

  private async connect (portFile: string, cookieFile: string, options: AbortOptions & ProgressOptions<ManagedTorProgressEvents>): Promise<void> {
    const deadline = Date.now() + this.bootstrapTimeout
    let portText = ''

    while (!portText.includes('PORT=')) {
      options.signal?.throwIfAborted()

      if (Date.now() > deadline) {
        throw new TorBootstrapTimeoutError(this.bootstrapTimeout, 0, 'no control port', this.noticeLog)
      }

      await new Promise(resolve => setTimeout(resolve, 50))
      portText = await fs.readFile(portFile, 'utf8').catch(() => '')
    }

    const [, host, port] = /PORT=([\d.]+):(\d+)/.exec(portText) ?? []
    const control = await TorControl.connect({ host, port: Number(port), logger: this.logger }, options)

    try {
      await control.authenticate({ cookieFile, signal: options.signal })
      await waitForBootstrap(control, { ...options, timeout: Math.max(deadline - Date.now(), 0), log: this.noticeLog })
      const socks = (await control.getInfo(['net/listeners/socks'], options)).get('net/listeners/socks') ?? ''
      const [, socksHost, socksPort] = /"?([\d.]+):(\d+)"?/.exec(socks) ?? []
      this.socksAddress = { host: socksHost, port: Number(socksPort) }
      this.controlConnection = control
      options.onProgress?.(new CustomProgressEvent('tor:ready', { socks: `${socksHost}:${socksPort}` }))
      this.log('tor ready, SocksPort %s:%s', socksHost, socksPort)
    } catch (err) {
      control.close()
      throw err
    }
  }

  private async onExit (child: ChildProcess, code: number | null): Promise<void> {
    if (this.stopping || this.child !== child) {
      return
    }

    const downAt = Date.now()
    this.log.error('tor exited unexpectedly with code %s', code)
    this.controlConnection?.close()
    this.controlConnection = undefined
    this.socksAddress = undefined
    this.child = undefined

    if (!this.restart) {
      return
    }

    try {
      await this.launch({})
      this.safeDispatchEvent('restarted', { detail: { downAt } })
    } catch (err: any) {
      this.log.error('could not restart tor - %e', err)
    }
  }
}
