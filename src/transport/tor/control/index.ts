/**
 * A client for tor's control port (control-spec): authentication (SAFECOOKIE,
 * COOKIE, HASHEDPASSWORD, NULL), commands answered in order, each within a
 * timeout, and asynchronous events. Replies are strictly ordered, so a command
 * that times out closes the connection rather than let later replies be read
 * as answers to the wrong commands.
 */
import { createHmac, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import net from 'node:net'
import { AbortError, TimeoutError } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import { TorCommandError, TorControlAuthError, TorControlClosedError, TorControlConnectError } from '../../errors.js'
import { parseKeyValues, quote } from './quoting.js'
import { ReplyParser } from './reply-parser.js'
import type { Reply } from './reply-parser.js'
import type { AbortOptions, ComponentLogger, Logger } from '@libp2p/interface'

export { ReplyParser } from './reply-parser.js'
export type { Reply, ReplyLine } from './reply-parser.js'
export { parseKeyValues, quote } from './quoting.js'

export interface TorControlInit {
  host: string
  port: number
  logger: ComponentLogger
  /**
   * Milliseconds a command may wait for its reply
   *
   * @default 30_000
   */
  commandTimeout?: number
}

export interface TorAuthOptions extends AbortOptions {
  /** For HASHEDPASSWORD */
  password?: string
  /** Overrides the COOKIEFILE tor reports */
  cookieFile?: string
}

export interface BootstrapStatus {
  progress: number
  tag: string
  summary: string
}

/**
 * A bootstrap status as tor writes it in STATUS_CLIENT events and
 * `status/bootstrap-phase`: `PROGRESS=.. TAG=.. SUMMARY=..`, after the
 * severity and `BOOTSTRAP`; undefined when it has no progress
 */
export function parseBootstrapStatus (text: string): BootstrapStatus | undefined {
  const fields = parseKeyValues(text)
  const progress = fields.get('PROGRESS')

  return progress == null ? undefined : { progress: Number(progress), tag: fields.get('TAG') ?? '', summary: fields.get('SUMMARY') ?? '' }
}

export interface HsDescEvent {
  action: string
  address: string
  /** The directory asked (`$fingerprint~nickname`), or UNKNOWN */
  hsDir?: string
  /** With FAILED: why, e.g. UPLOAD_REJECTED */
  reason?: string
}

export interface TorControlEvents {
  /** STATUS_CLIENT BOOTSTRAP events */
  bootstrap: CustomEvent<BootstrapStatus>
  /** HS_DESC events (UPLOADED, UPLOAD, FAILED, RECEIVED, …) */
  'hs-desc': CustomEvent<HsDescEvent>
  /** The connection closed */
  close: CustomEvent<Error | undefined>
}

export interface OnionService {
  serviceId: string
  /** Only when tor generated the key ("NEW") */
  privateKey?: string
}

export interface AddOnionOptions extends AbortOptions {
  /** `ED25519-V3:<base64>`, or undefined to have tor generate one */
  privateKey?: string
  /** Virtual port → local target `host:port` */
  ports: Array<{ virtualPort: number, target: string }>
}

const DEFAULT_COMMAND_TIMEOUT = 30_000
const SAFECOOKIE_SERVER_KEY = 'Tor safe cookie authentication server-to-controller hash'
const SAFECOOKIE_CLIENT_KEY = 'Tor safe cookie authentication controller-to-server hash'

interface Pending {
  command: string
  resolve(reply: Reply): void
  reject(err: Error): void
}

export class TorControl extends TypedEventEmitter<TorControlEvents> {
  readonly [Symbol.toStringTag] = 'torplus:tor-control'
  private readonly socket: net.Socket
  private readonly parser = new ReplyParser()
  private readonly pending: Pending[] = []
  private readonly log: Logger
  private readonly commandTimeout: number
  private closed?: Error

  private constructor (socket: net.Socket, init: TorControlInit) {
    super()
    this.socket = socket
    this.log = init.logger.forComponent('torplus:tor-control')
    this.commandTimeout = init.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT
    socket.setEncoding('utf8')
    socket.on('data', (text: string) => { this.onData(text) })
    socket.on('error', (err) => { this.onClose(err) })
    socket.on('close', () => { this.onClose(new TorControlClosedError()) })
  }

  /**
   * Connect to the control port
   */
  static async connect (init: TorControlInit, options: AbortOptions = {}): Promise<TorControl> {
    options.signal?.throwIfAborted()
    const address = `${init.host}:${init.port}`
    const socket = net.connect({ host: init.host, port: init.port })

    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { fail(new TimeoutError('timed out')) }, init.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT)
      const onAbort = (): void => { fail(new AbortError('aborted')) }
      const done = (): void => {
        clearTimeout(timer)
        options.signal?.removeEventListener('abort', onAbort)
        socket.off('connect', onConnect)
        socket.off('error', fail)
      }
      const onConnect = (): void => { done(); resolve() }
      function fail (err: Error): void {
        done()
        socket.destroy()
        reject(new TorControlConnectError(address, err.message))
      }

      socket.once('connect', onConnect)
      socket.once('error', fail)
      options.signal?.addEventListener('abort', onAbort)
    })

    return new TorControl(socket, init)
  }

  /**
   * Send one command line and wait for its reply; a 4xx/5xx reply throws
   */
  async command (line: string, options: AbortOptions = {}): Promise<Reply> {
    options.signal?.throwIfAborted()

    if (this.closed != null) {
      throw new TorControlClosedError()
    }

    const verb = line.split(' ')[0]
    // never log arguments: AUTHENTICATE and ADD_ONION carry secrets
    this.log.trace('> %s', verb)

    const reply = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close(new TimeoutError(`tor did not answer ${verb} within ${this.commandTimeout} ms`))
      }, this.commandTimeout)
      const onAbort = (): void => { this.close(new AbortError(`${verb} was aborted`)) }
      options.signal?.addEventListener('abort', onAbort, { once: true })

      const settle = (): void => {
        clearTimeout(timer)
        options.signal?.removeEventListener('abort', onAbort)
      }

      this.pending.push({
        command: verb,
        resolve: (r) => { settle(); resolve(r) },
        reject: (err) => { settle(); reject(err) }
      })
      this.socket.write(`${line}\r\n`)
    })

    if (reply.status >= 400) {
      throw new TorCommandError(verb, reply.status, reply.lines.map(l => l.text).join('; '))
    }

    return reply
  }

  /**
   * Authenticate with the strongest method tor offers that we can use
   */
  async authenticate (auth: TorAuthOptions = {}): Promise<void> {
    const info = await this.command('PROTOCOLINFO 1', auth)
    const authLine = info.lines.find(l => l.text.startsWith('AUTH '))
    const fields = parseKeyValues(authLine?.text.slice('AUTH '.length) ?? '')
    const methods = new Set((fields.get('METHODS') ?? '').split(','))
    const cookieFile = auth.cookieFile ?? fields.get('COOKIEFILE')

    try {
      if (methods.has('NULL')) {
        await this.command('AUTHENTICATE', auth)
      } else if (methods.has('SAFECOOKIE') && cookieFile != null) {
        await this.safeCookie(await fs.readFile(cookieFile), auth)
      } else if (methods.has('COOKIE') && cookieFile != null) {
        await this.command(`AUTHENTICATE ${(await fs.readFile(cookieFile)).toString('hex')}`, auth)
      } else if (methods.has('HASHEDPASSWORD') && auth.password != null) {
        await this.command(`AUTHENTICATE ${quote(auth.password)}`, auth)
      } else {
        throw new TorControlAuthError(`tor offers ${[...methods].join(', ')}, and no ${methods.has('HASHEDPASSWORD') ? 'password' : 'cookie file'} was given`)
      }
    } catch (err: any) {
      if (err.name === TorControlAuthError.name) {
        throw err
      }

      throw new TorControlAuthError(err.message)
    }

    this.log('authenticated')
  }

  private async safeCookie (cookie: Buffer, options: AbortOptions): Promise<void> {
    const clientNonce = randomBytes(32)
    const reply = await this.command(`AUTHCHALLENGE SAFECOOKIE ${clientNonce.toString('hex')}`, options)
    const fields = parseKeyValues(reply.lines[0].text.replace(/^AUTHCHALLENGE /, ''))
    const serverHash = Buffer.from(fields.get('SERVERHASH') ?? '', 'hex')
    const serverNonce = Buffer.from(fields.get('SERVERNONCE') ?? '', 'hex')
    const message = Buffer.concat([cookie, clientNonce, serverNonce])

    // tor proves it knows the cookie before we reveal anything derived from it
    const expected = createHmac('sha256', SAFECOOKIE_SERVER_KEY).update(message).digest()

    if (!expected.equals(serverHash)) {
      throw new TorControlAuthError('the server hash does not match the cookie: is this the tor whose cookie file we read?')
    }

    const clientHash = createHmac('sha256', SAFECOOKIE_CLIENT_KEY).update(message).digest('hex')
    await this.command(`AUTHENTICATE ${clientHash}`, options)
  }

  /**
   * GETINFO, as a map of key → value
   */
  async getInfo (keys: string[], options: AbortOptions = {}): Promise<Map<string, string>> {
    const reply = await this.command(`GETINFO ${keys.join(' ')}`, options)
    const out = new Map<string, string>()

    for (const line of reply.lines) {
      const eq = line.text.indexOf('=')

      if (eq !== -1) {
        out.set(line.text.slice(0, eq), line.data ?? line.text.slice(eq + 1))
      }
    }

    return out
  }

  async setEvents (events: string[], options: AbortOptions = {}): Promise<void> {
    await this.command(`SETEVENTS ${events.join(' ')}`, options)
  }

  /**
   * Publish an onion service for as long as this control connection lives
   */
  async addOnion (init: AddOnionOptions): Promise<OnionService> {
    const key = init.privateKey ?? 'NEW:ED25519-V3'
    const ports = init.ports.map(({ virtualPort, target }) => `Port=${virtualPort},${target}`).join(' ')
    const reply = await this.command(`ADD_ONION ${key} ${init.privateKey == null ? '' : 'Flags=DiscardPK '}${ports}`, init)
    const fields = new Map(reply.lines.flatMap(line => [...parseKeyValues(line.text)]))
    const serviceId = fields.get('ServiceID')

    if (serviceId == null) {
      throw new TorCommandError('ADD_ONION', reply.status, 'no ServiceID in the reply')
    }

    return { serviceId, privateKey: fields.get('PrivateKey') }
  }

  async delOnion (serviceId: string, options: AbortOptions = {}): Promise<void> {
    await this.command(`DEL_ONION ${serviceId}`, options)
  }

  /**
   * Close the connection; pending commands fail
   */
  close (reason?: Error): void {
    this.onClose(reason ?? new TorControlClosedError())
    this.socket.destroy()
  }

  private onData (text: string): void {
    let replies: Reply[]

    try {
      replies = this.parser.push(text)
    } catch (err: any) {
      this.log.error('%e', err)
      this.close(err)
      return
    }

    for (const reply of replies) {
      if (reply.status === 650) {
        this.onEvent(reply)
        continue
      }

      this.pending.shift()?.resolve(reply)
    }
  }

  private onEvent (reply: Reply): void {
    const text = reply.lines[0].text
    const [type, ...rest] = text.split(' ')

    if (type === 'STATUS_CLIENT' && rest[1] === 'BOOTSTRAP') {
      this.safeDispatchEvent('bootstrap', {
        detail: parseBootstrapStatus(rest.slice(2).join(' ')) ?? { progress: 0, tag: '', summary: '' }
      })
    } else if (type === 'HS_DESC') {
      // Action HSAddress AuthType HsDir [DescriptorID] [REASON=...] ...
      const reason = parseKeyValues(rest.slice(2).join(' ')).get('REASON')
      this.safeDispatchEvent('hs-desc', { detail: { action: rest[0], address: rest[1], hsDir: rest[3], reason } })
    }
  }

  private onClose (err: Error): void {
    if (this.closed != null) {
      return
    }

    this.closed = err
    this.log('control connection closed - %s', err.message)

    for (const pending of this.pending.splice(0)) {
      pending.reject(err)
    }

    this.safeDispatchEvent('close', { detail: err })
  }
}
