/**
 * SOCKS5 CONNECT through tor's SocksPort. The onion name goes to tor as a
 * hostname, so it is resolved inside tor, never locally. Each SOCKS5 refusal
 * becomes its own error; a timeout and the caller's signal bound every dial.
 */
import { AbortError, TimeoutError } from '@libp2p/interface'
import { SocksClient } from 'socks'
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

/**
 * The reply names the socks package puts after " - " in its error messages,
 * by SOCKS5 reply code
 */
const REPLY_NAMES: Record<string, number> = {
  Failure: 0x01,
  NotAllowed: 0x02,
  NetworkUnreachable: 0x03,
  HostUnreachable: 0x04,
  ConnectionRefused: 0x05,
  TTLExpired: 0x06,
  CommandNotSupported: 0x07,
  AddressNotSupported: 0x08
}

/**
 * Map a socks package error to ours, by SOCKS5 reply code
 */
export function toSocksError (err: Error, target: string, proxy: string): Error {
  const name = /rejected connection - (\w+)/.exec(err.message)?.[1]

  if (name == null) {
    // no SOCKS reply at all: the proxy itself was not there
    return new TorSocksUnreachableError(proxy, err.message)
  }

  switch (REPLY_NAMES[name]) {
    case 0x04: return new OnionHostUnreachableError(target)
    case 0x05: return new OnionConnectionRefusedError(target)
    case 0x06: return new OnionTtlExpiredError(target)
    default: return new SocksFailureError(target, name)
  }
}

/**
 * Bytes the remote sent in the same segment as the SOCKS reply are handed
 * back by the socks package as a bare 'data' event on a later tick, which a
 * reader that is not yet listening, or that reads with read() or an async
 * iterator, never sees. Catch them and put them back into the stream.
 */
async function keepHandshakeExcess (socket: Socket): Promise<Socket> {
  const excess: Buffer[] = []
  const collect = (chunk: Buffer): void => { excess.push(chunk) }
  socket.on('data', collect)
  // the socks package queued its re-emit before resolving, so it runs first
  await new Promise(resolve => setImmediate(resolve))
  socket.off('data', collect)
  socket.pause()

  if (excess.length > 0) {
    socket.unshift(Buffer.concat(excess))
  }

  // held paused so nothing is lost before the caller reads; a 'data' listener
  // starts the flow, as it does on a fresh socket
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
 * Connect through tor's SocksPort; the socket holds any bytes the remote
 * sent first until the caller reads
 */
export async function socksConnect (options: SocksConnectOptions): Promise<Socket> {
  options.signal?.throwIfAborted()

  const target = `${options.destination.host}:${options.destination.port}`
  const proxy = `${options.proxy.host}:${options.proxy.port}`
  const connecting = SocksClient.createConnection({
    command: 'connect',
    proxy: {
      host: options.proxy.host,
      port: options.proxy.port,
      type: 5,
      ...(options.isolation == null ? {} : { userId: options.isolation, password: 'torplus' })
    },
    destination: options.destination,
    // the socks package's own timer covers the TCP connect and the handshake
    timeout: options.timeout,
    set_tcp_nodelay: true
  })

  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((resolve, reject) => {
    onAbort = () => { reject(new AbortError(`dial to ${target} aborted`)) }
    options.signal?.addEventListener('abort', onAbort, { once: true })
  })

  try {
    const { socket } = await Promise.race([connecting, aborted])
    return await keepHandshakeExcess(socket)
  } catch (err: any) {
    // a connection that completes after an abort must not leak
    connecting.then(({ socket }) => socket.destroy(), () => {})

    if (err.name === AbortError.name) {
      throw err
    }

    if (/timed out|timeout/i.test(err.message)) {
      throw new TimeoutError(`dial to ${target} through tor did not complete within ${options.timeout} ms`)
    }

    throw toSocksError(err, target, proxy)
  } finally {
    if (onAbort != null) {
      options.signal?.removeEventListener('abort', onAbort)
    }
  }
}
