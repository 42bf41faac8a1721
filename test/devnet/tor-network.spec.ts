/**
 * The private tor network and managed tors, end to end with the real tor:
 * an onion service published over the control port is reached over SOCKS
 */
import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import { TorNetwork } from '../../src/devnet/tor-network.js'
import { createOnionKey } from '../../src/transport/index.js'
import { socksConnect } from '../../src/transport/socks.js'
import { ExternalTor } from '../../src/transport/tor/external-tor.js'
import { ManagedTor } from '../../src/transport/tor/managed-tor.js'
import { tempDir } from '../utils/repo.js'
import { publishReachable } from '../utils/tor.js'

describe('private tor network', function () {
  this.timeout(180_000)
  const logger = defaultLogger()
  let dir: string
  let network: TorNetwork
  let service: ManagedTor
  let client: ManagedTor
  let echo: net.Server

  before(async () => {
    dir = await tempDir('torplus-devnet-')
    network = new TorNetwork({ dir: path.join(dir, 'network'), logger })
    await network.start()
    service = new ManagedTor({ dir: path.join(dir, 'service'), logger, extraConfig: network.clientConfig() })
    client = new ManagedTor({ dir: path.join(dir, 'client'), logger, extraConfig: network.clientConfig() })

    const progress: number[] = []
    await Promise.all([
      service.start({ onProgress: (evt) => { if (evt.type === 'tor:bootstrap') progress.push(evt.detail.progress) } }),
      client.start()
    ])
    expect(progress.length === 0 || progress[progress.length - 1] === 100).to.be.true()

    echo = net.createServer(socket => socket.pipe(socket))
    await new Promise<void>(resolve => echo.listen(0, '127.0.0.1', resolve))
  })

  after(async () => {
    echo?.close()
    await Promise.all([service?.stop(), client?.stop()])
    await network?.stop()
  })

  it('carries a stream to an onion service published with ADD_ONION', async () => {
    // published, and reached once (a new key can be unknown for a moment on the devnet: see publishReachable)
    const onion = createOnionKey()
    await publishReachable(service, client, onion, new Map([[4101, `127.0.0.1:${(echo.address() as net.AddressInfo).port}`]]))

    const socket = await socksConnect({ proxy: client.socks, destination: { host: `${onion.serviceId}.onion`, port: 4101 }, timeout: 60_000 })
    socket.write('through tor')
    const reply = await new Promise<Buffer>(resolve => socket.once('data', resolve))
    socket.destroy()

    expect(reply.toString()).to.equal('through tor')
  })

  it('fails a dial to an onion that does not exist with its own error, within the timeout', async () => {
    // a valid address whose service was never published
    const gone = await service.control.addOnion({ ports: [{ virtualPort: 4101, target: '127.0.0.1:9' }] })
    await service.control.delOnion(gone.serviceId)
    const started = Date.now()

    await expect(socksConnect({ proxy: client.socks, destination: { host: `${gone.serviceId}.onion`, port: 4101 }, timeout: 60_000 }))
      .to.eventually.be.rejected.with.property('name').that.is.oneOf(['OnionHostUnreachableError', 'OnionTtlExpiredError'])
    expect(Date.now() - started).to.be.below(60_000)
  })

  it('attaches to an existing tor (external mode) and dials through it', async () => {
    const portFile = await fs.readFile(path.join(dir, 'service', 'control-port'), 'utf8')
    const [, port] = /PORT=127\.0\.0\.1:(\d+)/.exec(portFile) ?? []
    const external = new ExternalTor({
      control: { host: '127.0.0.1', port: Number(port) },
      socks: service.socks,
      cookieFile: path.join(dir, 'service', 'control_auth_cookie'),
      logger
    })

    await external.start()

    try {
      const target = await client.control.addOnion({ ports: [{ virtualPort: 4102, target: `127.0.0.1:${(echo.address() as net.AddressInfo).port}` }] })
      await new Promise<void>(resolve => {
        client.control.addEventListener('hs-desc', (evt) => { if (evt.detail.action === 'UPLOADED' && evt.detail.address === target.serviceId) resolve() })
      })

      const socket = await socksConnect({ proxy: external.socks, destination: { host: `${target.serviceId}.onion`, port: 4102 }, timeout: 60_000 })
      socket.write('external')
      const reply = await new Promise<Buffer>(resolve => socket.once('data', resolve))
      socket.destroy()
      expect(reply.toString()).to.equal('external')

      expect((await external.control.getInfo(['version'])).get('version')).to.match(/^0\.4\./)
    } finally {
      external.stop()
    }
  })

  it('restarts a managed tor that dies', async () => {
    const restarted = new Promise<void>(resolve => { client.addEventListener('restarted', () => { resolve() }, { once: true }) })
    process.kill(client.pid ?? 0, 'SIGKILL')
    await restarted

    expect(client.isStarted()).to.be.true()
    expect((await client.control.getInfo(['status/bootstrap-phase'])).get('status/bootstrap-phase')).to.match(/PROGRESS=100/)
  })

  it('says how to install tor when it is missing', async () => {
    const missing = new ManagedTor({ dir: path.join(dir, 'missing'), logger, torPath: path.join(dir, 'no-tor-here') })
    await expect(missing.start()).to.eventually.be.rejected.with.property('message').that.matches(/tor is not installed; install it \(`apt-get install tor`/)
    expect(await fs.readdir(path.join(dir, 'missing'))).to.include('torrc')
  })
})
