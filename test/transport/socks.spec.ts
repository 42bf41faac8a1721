/**
 * The SOCKS5 dialer against a server that answers with the replies tor sends
 */
import net from 'node:net'
import { expect } from 'aegir/chai'
import { socksConnect } from '../../src/transport/socks.js'
import type { Socket } from 'node:net'

const ONION = 'mhgxqbkeyqwwpswcfhlxjyubcihnkhvrdnvc4yifzhhpbm3gzevd3qad.onion'

interface Seen {
  methods: number[]
  username?: string
  addressType?: number
  host?: string
  port?: number
}

/**
 * A SOCKS5 server that records the request and answers with `reply`, or
 * never answers when reply is null; with `banner`, the remote speaks first
 * and its bytes come in the same segment as the reply
 */
async function fakeTorSocks (reply: number | null, banner?: Buffer): Promise<{ port: number, seen: Seen[], close(): void }> {
  const seen: Seen[] = []
  const server = net.createServer((socket) => {
    const record: Seen = { methods: [] }
    seen.push(record)
    let stage = 'greeting'
    let buffer = Buffer.alloc(0)

    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk])

      if (stage === 'greeting' && buffer.length >= 2 && buffer.length >= 2 + buffer[1]) {
        record.methods = [...buffer.subarray(2, 2 + buffer[1])]
        buffer = buffer.subarray(2 + buffer[1])
        const userPass = record.methods.includes(0x02)
        socket.write(Buffer.from([0x05, userPass ? 0x02 : 0x00]))
        stage = userPass ? 'auth' : 'request'
      }

      if (stage === 'auth' && buffer.length >= 2 && buffer.length >= 3 + buffer[1] && buffer.length >= 3 + buffer[1] + buffer[2 + buffer[1]]) {
        record.username = buffer.subarray(2, 2 + buffer[1]).toString()
        buffer = buffer.subarray(3 + buffer[1] + buffer[2 + buffer[1]])
        socket.write(Buffer.from([0x01, 0x00]))
        stage = 'request'
      }

      if (stage === 'request' && buffer.length >= 5 && buffer.length >= 7 + buffer[4]) {
        record.addressType = buffer[3]
        record.host = buffer.subarray(5, 5 + buffer[4]).toString()
        record.port = buffer.readUInt16BE(5 + buffer[4])
        stage = 'done'

        if (reply != null) {
          socket.write(Buffer.concat([Buffer.from([0x05, reply, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), banner ?? Buffer.alloc(0)]))
          if (reply !== 0 || banner != null) socket.end()
        }
      }
    })
    socket.on('error', () => {})
  })

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))

  return { port: (server.address() as net.AddressInfo).port, seen, close: () => server.close() }
}

describe('SOCKS5 dialer', () => {
  const cases: Array<[number, string, RegExp]> = [
    [0x04, 'OnionHostUnreachableError', /tor could not reach .*\.onion:4101: the onion service is unknown or offline/],
    [0x05, 'OnionConnectionRefusedError', /refused the connection: the onion service is up but does not serve that port/],
    [0x06, 'OnionTtlExpiredError', /tor timed out building a circuit/],
    [0x01, 'SocksFailureError', /\(SOCKS5 reply Failure\)/],
    [0x02, 'SocksFailureError', /\(SOCKS5 reply NotAllowed\)/]
  ]

  for (const [code, name, message] of cases) {
    it(`maps reply 0x0${code} to ${name}`, async () => {
      const socks = await fakeTorSocks(code)

      try {
        await expect(socksConnect({ proxy: { host: '127.0.0.1', port: socks.port }, destination: { host: ONION, port: 4101 }, timeout: 5_000 }))
          .to.eventually.be.rejected.with.property('name', name)
        await expect(socksConnect({ proxy: { host: '127.0.0.1', port: socks.port }, destination: { host: ONION, port: 4101 }, timeout: 5_000 }))
          .to.eventually.be.rejected.with.property('message').that.matches(message)
      } finally {
        socks.close()
      }
    })
  }

  it('hands the onion name to tor unresolved, with the isolation username', async () => {
    const socks = await fakeTorSocks(0x00)

    try {
      const socket = await socksConnect({ proxy: { host: '127.0.0.1', port: socks.port }, destination: { host: ONION, port: 4101 }, timeout: 5_000, isolation: 'peer-a' })
      socket.destroy()

      // ATYP 0x03: a domain name, so no DNS lookup happened on this side
      expect(socks.seen[0]).to.include({ addressType: 0x03, host: ONION, port: 4101, username: 'peer-a' })
    } finally {
      socks.close()
    }
  })

  it('keeps the bytes that arrive with the SOCKS reply, for any reader', async () => {
    const banner = Buffer.from('the remote speaks first')
    const socks = await fakeTorSocks(0x00, banner)
    const connect = async (): Promise<Socket> => socksConnect({ proxy: { host: '127.0.0.1', port: socks.port }, destination: { host: ONION, port: 4101 }, timeout: 5_000 })

    try {
      const iterated: Buffer[] = []

      for await (const chunk of await connect()) {
        iterated.push(chunk)
      }

      const socket = await connect()
      // a reader that comes a little late, with a 'data' listener
      await new Promise(resolve => setTimeout(resolve, 50))
      const listened: Buffer[] = []
      socket.on('data', (chunk: Buffer) => { listened.push(chunk) })
      await new Promise(resolve => socket.once('end', resolve))

      expect(Buffer.concat(iterated).toString()).to.equal(banner.toString())
      expect(Buffer.concat(listened).toString()).to.equal(banner.toString())
    } finally {
      socks.close()
    }
  })

  it('says when tor\'s SocksPort is not there', async () => {
    const socks = await fakeTorSocks(0x00)
    socks.close()

    await expect(socksConnect({ proxy: { host: '127.0.0.1', port: socks.port }, destination: { host: ONION, port: 4101 }, timeout: 5_000 }))
      .to.eventually.be.rejected.with.property('message').that.matches(/cannot reach tor's SocksPort at 127.0.0.1:\d+ .*Tor.SocksPort/)
  })

  it('times out a circuit that never completes', async () => {
    const socks = await fakeTorSocks(null)

    try {
      await expect(socksConnect({ proxy: { host: '127.0.0.1', port: socks.port }, destination: { host: ONION, port: 4101 }, timeout: 300 }))
        .to.eventually.be.rejected.with.property('name', 'TimeoutError')
    } finally {
      socks.close()
    }
  })

  it('honours the caller\'s signal', async () => {
    const socks = await fakeTorSocks(null)

    try {
      await expect(socksConnect({ proxy: { host: '127.0.0.1', port: socks.port }, destination: { host: ONION, port: 4101 }, timeout: 30_000, signal: AbortSignal.timeout(200) }))
        .to.eventually.be.rejected.with.property('name', 'AbortError')
    } finally {
      socks.close()
    }
  })
})
