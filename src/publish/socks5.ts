/**
 * The server side of SOCKS5 (RFC 1928) as a browser speaks it: no
 * authentication, CONNECT only, to a host name (the browser leaves name
 * resolution to the proxy) or an address. Every read is bounded in size and
 * time; anything else ends the connection with the reply that says why.
 */
import type { Socket } from 'node:net'

export const SOCKS_REPLY = {
  succeeded: 0x00,
  failure: 0x01,
  notAllowed: 0x02,
  hostUnreachable: 0x04,
  ttlExpired: 0x06,
  commandNotSupported: 0x07,
  addressTypeNotSupported: 0x08
} as const

const VERSION = 0x05
const NO_AUTH = 0x00
const NO_ACCEPTABLE_METHOD = 0xff
const CONNECT = 0x01

/** Milliseconds a client has for its greeting and request */
const HANDSHAKE_TIMEOUT = 10_000

export interface SocksRequest {
  host: string
  port: number
}

/** Read the greeting and the CONNECT request; the caller replies */
export async function socks5Handshake (socket: Socket): Promise<SocksRequest> {
  const deadline = Date.now() + HANDSHAKE_TIMEOUT
  const read = async (bytes: number): Promise<Buffer> => readExactly(socket, bytes, deadline)

  const [version, methods] = await read(2)

  if (version !== VERSION || methods === 0) {
    throw new Error('not SOCKS5')
  }

  if (!(await read(methods)).includes(NO_AUTH)) {
    socket.end(Uint8Array.of(VERSION, NO_ACCEPTABLE_METHOD))
    throw new Error('no method without authentication offered')
  }

  socket.write(Uint8Array.of(VERSION, NO_AUTH))
  const [, command, , addressType] = await read(4)

  if (command !== CONNECT) {
    socket.end(socks5Reply(SOCKS_REPLY.commandNotSupported))
    throw new Error(`command ${command} is not CONNECT`)
  }

  let host: string

  switch (addressType) {
    case 0x01:
      host = [...await read(4)].join('.')
      break
    case 0x03: {
      const [length] = await read(1)
      host = (await read(length)).toString('latin1')
      break
    }
    case 0x04:
      host = ((await read(16)).toString('hex').match(/.{4}/g) ?? []).join(':')
      break
    default:
      socket.end(socks5Reply(SOCKS_REPLY.addressTypeNotSupported))
      throw new Error(`address type ${addressType}`)
  }

  return { host, port: (await read(2)).readUInt16BE(0) }
}

/** A reply with a zero bound address: browsers do not read it */
export function socks5Reply (reply: number): Uint8Array {
  return Uint8Array.of(VERSION, reply, 0x00, 0x01, 0, 0, 0, 0, 0, 0)
}

/** The reply that says why a target could not be reached */
export function socksReplyOf (err: { code?: string }): number {
  switch (err.code) {
    case 'ERR_NAME_NOT_FOUND':
    case 'ERR_SITE_REFUSED':
    case 'ERR_SITE_UNREACHABLE':
      return SOCKS_REPLY.hostUnreachable
    case 'ERR_PROXY_REFUSED':
      return SOCKS_REPLY.notAllowed
    case 'ERR_NAME_LOOKUP_TIMEOUT':
      return SOCKS_REPLY.ttlExpired
    default:
      return SOCKS_REPLY.failure
  }
}

async function readExactly (socket: Socket, bytes: number, deadline: number): Promise<Buffer> {
  if (bytes === 0) {
    return Buffer.alloc(0)
  }

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { done(new Error('the SOCKS5 handshake took too long')) }, Math.max(0, deadline - Date.now()))
    const done = (err?: Error, data?: Buffer): void => {
      clearTimeout(timer)
      socket.off('readable', tryRead)
      socket.off('close', closed)

      if (err != null) {
        reject(err)
      } else {
        resolve(data ?? Buffer.alloc(0))
      }
    }
    const closed = (): void => { done(new Error('closed during the SOCKS5 handshake')) }
    const tryRead = (): void => {
      const data: Buffer | null = socket.read(bytes)

      if (data != null) {
        done(undefined, data)
      }
    }
    socket.on('readable', tryRead)
    socket.once('close', closed)
    tryRead()
  })
}
