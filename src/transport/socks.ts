/**
 * SOCKS5 CONNECT (RFC 1928, with RFC 1929 username/password for circuit
 * isolation) through tor's SocksPort. The onion name goes to tor as a
 * hostname, so it is resolved inside tor, never locally. Each SOCKS5 refusal
 * becomes its own error, by reply code; a timeout and the caller's signal
 * bound every dial. Written here rather than taken from a SOCKS package:
 * those report a refusal only as message text, and hand bytes the remote
 * sent with the reply back on a later tick, where a reader that is not yet
 * listening never sees them.
 */
import { randomUUID } from 'node:crypto'
import net from 'node:net'
import { AbortError, TimeoutError } from '@libp2p/interface'
import { OnionConnectionRefusedError, OnionHostUnreachableError, OnionTtlExpiredError, SocksFailureError, TorSocksUnreachableError } from './errors.js'
import type { AbortOptions } from '@libp2p/interface'
import type { Socket } from 'node:net'

export interface SocksConnectOptions extends AbortOptions {
  /** tor's SocksPort */
  proxy: { host: string, port: number }
  /** Where to go, e.g. an onion name and its virtual port */
  destination: { host: string, port: number }
  /** Milliseconds for the whole handshake, circuit included */
  timeout: number
  /**
   * A SOCKS username: tor (IsolateSOCKSAuth, on by default) puts streams with
   * different credentials on different circuits
   */
  isolation?: string
}

const VERSION = 0x05
const NO_AUTH = 0x00
const USER_PASS = 0x02
const NO_ACCEPTABLE_METHOD = 0xff
const CONNECT = 0x01
const DOMAIN_NAME = 0x03
const IPV4 = 0x01
const IPV6 = 0x04
/** tor takes any password; the username alone picks the circuit */
const ISOLATION_PASSWORD = 'torplus'

/** SOCKS5 reply names, by code, for errors a person reads */
const REPLY_NAMES: Record<number, string> = {
  0x01: 'Failure',
  0x02: 'NotAllowed',
  0x03: 'NetworkUnreachable',
  0x04: 'HostUnreachable',
  0x05: 'ConnectionRefused',
  0x06: 'TTLExpired',
  0x07: 'CommandNotSupported',
  0x08: 'AddressNotSupported'
}

/**
 * The error for a SOCKS5 reply code other than success
 */
export function socksReplyError (reply: number, target: string): Error {
  switch (reply) {
    case 0x04: return new OnionHostUnreachableError(target)
    case 0x05: return new OnionConnectionRefusedError(target)
    case 0x06: return new OnionTtlExpiredError(target)
    default: return new SocksFailureError(target, REPLY_NAMES[reply] ?? `0x${reply.toString(16).padStart(2, '0')}`)
  }
}

/**
 * Reads exact byte counts off a socket during the handshake; what arrives
 * beyond the handshake is kept for the caller
 */
class HandshakeReader {
  private buffered = Buffer.alloc(0)
  private wanted?: { bytes: number, resolve(bytes: Buffer): void, reject(err: Error): void }
  private failure?: Error

  constructor (private readonly socket: Socket, private readonly target: string) {
    socket.on('data', this.onData)
    socket.once('close', this.onClose)
  }

  async read (bytes: number): Promise<Buffer> {
    if (this.buffered.byteLength >= bytes) {
      return this.take(bytes)
    }

    if (this.failure != null) {
      throw this.failure
    }

    return new Promise((resolve, reject) => { this.wanted = { bytes, resolve, reject } })
  }

  /** Stop reading; returns what came after the handshake */
  release (): Buffer {
    this.socket.off('data', this.onData)
    this.socket.off('close', this.onClose)
    return this.take(this.buffered.byteLength)
  }

  private take (bytes: number): Buffer {
    const taken = this.buffered.subarray(0, bytes)
    this.buffered = this.buffered.subarray(bytes)
    return taken
  }

  private readonly onData = (chunk: Buffer): void => {
    this.buffered = Buffer.concat([this.buffered, chunk])

    if (this.wanted != null && this.buffered.byteLength >= this.wanted.bytes) {
      const { bytes, resolve } = this.wanted
      this.wanted = undefined
      resolve(this.take(bytes))
    }
  }

  private readonly onClose = (): void => {
    this.failure = new SocksFailureError(this.target, 'none: the SocksPort closed the connection mid-handshake')
    this.wanted?.reject(this.failure)
    this.wanted = undefined
  }
}

async function handshake (socket: Socket, reader: HandshakeReader, options: SocksConnectOptions, target: string): Promise<void> {
  const isolation = options.isolation == null ? undefined : Buffer.from(options.isolation)
  socket.write(Uint8Array.of(VERSION, 1, isolation == null ? NO_AUTH : USER_PASS))
  const [version, method] = await reader.read(2)

  if (version !== VERSION || method === NO_ACCEPTABLE_METHOD || method !== (isolation == null ? NO_AUTH : USER_PASS)) {
    throw new SocksFailureError(target, `the SocksPort took no method we offered (${method})`)
  }

  if (isolation != null) {
    const password = Buffer.from(ISOLATION_PASSWORD)
    socket.write(Buffer.concat([Uint8Array.of(0x01, isolation.byteLength), isolation, Uint8Array.of(password.byteLength), password]))
    const [, status] = await reader.read(2)

    if (status !== 0x00) {
      throw new SocksFailureError(target, 'the SocksPort refused the isolation username')
    }
  }

  const host = Buffer.from(options.destination.host)
  const port = Buffer.alloc(2)
  port.writeUInt16BE(options.destination.port)
  socket.write(Buffer.concat([Uint8Array.of(VERSION, CONNECT, 0x00, DOMAIN_NAME, host.byteLength), host, port]))

  const [replyVersion, reply, , addressType] = await reader.read(4)

  if (replyVersion !== VERSION) {
    throw new SocksFailureError(target, `none: the SocksPort answered in SOCKS version ${replyVersion}`)
  }

  if (reply !== 0x00) {
    throw socksReplyError(reply, target)
  }

  // the bound address and port, which tor sets to zeros: read past them
  await reader.read(await boundAddressLength(addressType, reader, target) + 2)
}

async function boundAddressLength (addressType: number, reader: HandshakeReader, target: string): Promise<number> {
  switch (addressType) {
    case IPV4: return 4
    case IPV6: return 16
    case DOMAIN_NAME: return (await reader.read(1))[0]
    default: throw new SocksFailureError(target, `a reply with address type ${addressType}`)
  }
}

/**
 * Connect through tor's SocksPort; the socket holds any bytes the remote
 * sent first until the caller reads
 */
export async function socksConnect (options: SocksConnectOptions): Promise<Socket> {
  options.signal?.throwIfAborted()

  const target = `${options.destination.host}:${options.destination.port}`
  const proxy = `${options.proxy.host}:${options.proxy.port}`
  const socket = net.connect({ host: options.proxy.host, port: options.proxy.port, noDelay: true })
  let reader: HandshakeReader | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let onAbort: (() => void) | undefined

  const stopped = new Promise<never>((resolve, reject) => {
    timer = setTimeout(() => { reject(new TimeoutError(`dial to ${target} through tor did not complete within ${options.timeout} ms`)) }, options.timeout)
    onAbort = () => { reject(new AbortError(`dial to ${target} aborted`)) }
    options.signal?.addEventListener('abort', onAbort, { once: true })
  })

  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', (err) => {
      // before the handshake, an error is tor's SocksPort not being there
      reject(reader == null ? new TorSocksUnreachableError(proxy, err.message) : new SocksFailureError(target, err.message))
    })
  })
  // a failure after the race was lost must not be unhandled
  connected.catch(() => {})

  try {
    await Promise.race([connected, stopped])
    reader = new HandshakeReader(socket, target)
    await Promise.race([handshake(socket, reader, options, target), stopped])
  } catch (err) {
    socket.destroy()
    throw err
  } finally {
    clearTimeout(timer)

    if (onAbort != null) {
      options.signal?.removeEventListener('abort', onAbort)
    }
  }

  socket.removeAllListeners('error')
  socket.removeAllListeners('connect')
  // held paused so nothing is lost before the caller reads
  socket.pause()
  const excess = reader.release()

  if (excess.byteLength > 0) {
    // read first, by whatever reads the socket first: 'data', read() or iteration
    socket.unshift(excess)
  }

  // a 'data' listener starts the flow, as it does on a fresh socket
  const onListener = (event: string | symbol): void => {
    if (event === 'data') {
      socket.off('newListener', onListener)
      process.nextTick(() => socket.resume())
    }
  }
  socket.on('newListener', onListener)

  return socket
}

/**
 * Connections to host:port through tor's SocksPort, each on a circuit of
 * its own (a fresh isolation username), for clients other than libp2p:
 * name lookups, say. The host goes to tor unresolved
 */
export function socksConnector (tor: { readonly socks: { host: string, port: number } }, init: { timeout: number, purpose: string }): (host: string, port: number, options: AbortOptions) => Promise<Socket> {
  return async (host, port, options) => socksConnect({
    proxy: tor.socks,
    destination: { host, port },
    timeout: init.timeout,
    isolation: `${init.purpose}:${randomUUID()}`,
    signal: options.signal
  })
}
