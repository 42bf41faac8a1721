/**
 * The SOCKS5 dialer against the real tor, on a private tor network: what
 * tor answers for a service that is there, one that is not, a port the
 * service does not serve, and a SocksPort that is not there
 */
import net from 'node:net'
import { expect } from 'aegir/chai'
import { createOnionKey } from '../../src/transport/index.js'
import { socksConnect, socksReplyError } from '../../src/transport/socks.js'
import { publishReachable, startPrivateTors } from '../utils/tor.js'
import type { ManagedTor } from '../../src/transport/index.js'
import type { PrivateTors } from '../utils/tor.js'
import type { Socket } from 'node:net'

const BANNER = 'the remote speaks first'

describe('SOCKS5 dialer, through the real tor', function () {
  this.timeout(180_000)
  let tors: PrivateTors
  let service: ManagedTor
  let client: ManagedTor
  let speaker: net.Server
  /** An onion service whose port 4101 says BANNER and closes */
  let onion: string
  /** A valid onion address that no directory knows */
  let unknown: string

  before(async () => {
    tors = await startPrivateTors('torplus-socks-', ['service', 'client'])
    ;({ service, client } = tors.tors)

    speaker = net.createServer(socket => { socket.end(BANNER) })
    await new Promise<void>(resolve => speaker.listen(0, '127.0.0.1', resolve))
    const key = createOnionKey()
    await publishReachable(service, client, key, new Map([[4101, `127.0.0.1:${(speaker.address() as net.AddressInfo).port}`]]))
    onion = `${key.serviceId}.onion`

    const gone = await service.control.addOnion({ ports: [{ virtualPort: 4101, target: '127.0.0.1:9' }] })
    await service.control.delOnion(gone.serviceId)
    unknown = `${gone.serviceId}.onion`
  })

  after(async () => {
    speaker?.close()
    await tors?.stop()
  })

  it('hands the onion name to tor unresolved, with an isolation username, and keeps the bytes that come with the reply for any reader', async () => {
    // an onion name has no DNS: reaching the service shows tor resolved it
    const connect = async (isolation: string): Promise<Socket> => socksConnect({ proxy: client.socks, destination: { host: onion, port: 4101 }, timeout: 60_000, isolation })
    const iterated: Buffer[] = []

    for await (const chunk of await connect('reader-a')) {
      iterated.push(chunk)
    }

    const socket = await connect('reader-b')
    // a reader that comes a little late, with a 'data' listener
    await new Promise(resolve => setTimeout(resolve, 200))
    const listened: Buffer[] = []
    socket.on('data', (chunk: Buffer) => { listened.push(chunk) })
    await new Promise(resolve => socket.once('end', resolve))

    expect(Buffer.concat(iterated).toString()).to.equal(BANNER)
    expect(Buffer.concat(listened).toString()).to.equal(BANNER)
  })

  it('says an onion no directory knows is unreachable', async () => {
    await expect(socksConnect({ proxy: client.socks, destination: { host: unknown, port: 4101 }, timeout: 60_000 }))
      .to.eventually.be.rejected.with.property('message').that.matches(/tor could not reach .*\.onion:4101: the onion service is unknown or offline/)
  })

  it('says the service refused when it does not serve the port', async () => {
    await expect(socksConnect({ proxy: client.socks, destination: { host: onion, port: 4102 }, timeout: 60_000 }))
      .to.eventually.be.rejected.with.property('message').that.matches(/\.onion:4102 refused the connection: the onion service is up but does not serve that port/)
  })

  it('says when tor\'s SocksPort is not there', async () => {
    const closed = net.createServer()
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as net.AddressInfo
    await new Promise(resolve => closed.close(resolve))

    await expect(socksConnect({ proxy: { host: '127.0.0.1', port }, destination: { host: onion, port: 4101 }, timeout: 5_000 }))
      .to.eventually.be.rejected.with.property('message').that.matches(/cannot reach tor's SocksPort at 127.0.0.1:\d+ .*Tor.SocksPort/)
  })

  it('times out a dial that tor has not completed', async () => {
    // a lookup of an unknown onion takes tor far longer than this
    await expect(socksConnect({ proxy: client.socks, destination: { host: unknown, port: 4101 }, timeout: 5 }))
      .to.eventually.be.rejected.with.property('name', 'TimeoutError')
  })

  it('honours the caller\'s signal', async () => {
    await expect(socksConnect({ proxy: client.socks, destination: { host: unknown, port: 4101 }, timeout: 60_000, signal: AbortSignal.timeout(5) }))
      .to.eventually.be.rejected.with.property('name', 'AbortError')
  })

  it('names each refusal tor can send by its reply code', () => {
    const target = `${unknown}:4101`

    expect(socksReplyError(0x04, target)).to.have.property('name', 'OnionHostUnreachableError')
    expect(socksReplyError(0x05, target)).to.have.property('name', 'OnionConnectionRefusedError')
    expect(socksReplyError(0x06, target)).to.have.property('name', 'OnionTtlExpiredError')
    expect(socksReplyError(0x01, target).message).to.include('(SOCKS5 reply Failure)')
    expect(socksReplyError(0x02, target).message).to.include('(SOCKS5 reply NotAllowed)')
    expect(socksReplyError(0xf0, target).message).to.include('(SOCKS5 reply 0xf0)')
  })
})
