/**
 * The control client against a real tor (network disabled)
 */
import { execFile } from 'node:child_process'
import net from 'node:net'
import { promisify } from 'node:util'
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import pWaitFor from 'p-wait-for'
import { TorControl } from '../../../../src/transport/tor/control/index.js'
import { startOfflineTor } from '../../../utils/tor.js'
import type { OfflineTor } from '../../../utils/tor.js'

describe('tor control client', function () {
  this.timeout(60_000)
  let tor: OfflineTor
  let control: TorControl

  before(async () => {
    tor = await startOfflineTor()
  })

  after(async () => {
    control?.close()
    await tor?.stop()
  })

  it('authenticates with SAFECOOKIE and answers GETINFO', async () => {
    control = await TorControl.connect({ host: '127.0.0.1', port: tor.controlPort, logger: defaultLogger() })
    await control.authenticate()

    const info = await control.getInfo(['version', 'net/listeners/socks', 'config-text'])
    expect(info.get('version')).to.match(/^0\.4\./)
    // tor opens no SOCKS listener while its network is disabled
    expect(info.has('net/listeners/socks')).to.be.true()
    expect(info.get('config-text')).to.include('DisableNetwork 1')
  })

  it('turns an error status into an error that names it', async () => {
    await expect(control.getInfo(['no/such/key'])).to.eventually.be.rejected
      .with.property('message').that.matches(/^tor answered 552 to GETINFO: /)
    // the connection is still usable
    expect((await control.getInfo(['version'])).get('version')).to.be.a('string')
  })

  it('publishes an onion service with a new key, then with the same key, and removes it', async () => {
    const created = await control.addOnion({ ports: [{ virtualPort: 4101, target: '127.0.0.1:4101' }] })
    expect(created.serviceId).to.match(/^[a-z2-7]{56}$/)
    expect(created.privateKey).to.match(/^ED25519-V3:/)
    await control.delOnion(created.serviceId)

    const again = await control.addOnion({ privateKey: created.privateKey, ports: [{ virtualPort: 4101, target: '127.0.0.1:4101' }] })
    expect(again.serviceId).to.equal(created.serviceId)
    expect(again.privateKey).to.be.undefined()

    const onions = await control.getInfo(['onions/current'])
    expect(onions.get('onions/current')).to.include(created.serviceId)
    await control.delOnion(again.serviceId)
    await expect(control.delOnion(again.serviceId)).to.eventually.be.rejected.with.property('name', 'TorCommandError')
  })

  it('subscribes to events, and says which one tor does not know', async () => {
    await control.setEvents(['STATUS_CLIENT', 'HS_DESC'])
    await expect(control.setEvents(['STATUS_CLIENT', 'NO_SUCH_EVENT'])).to.eventually.be.rejected
      .with.property('name', 'TorCommandError')
    await control.setEvents([])
  })

  it('refuses a wrong cookie and says what to set', async () => {
    const other = await TorControl.connect({ host: '127.0.0.1', port: tor.controlPort, logger: defaultLogger() })

    try {
      await expect(other.authenticate({ cookieFile: '/dev/null' })).to.eventually.be.rejected
        .with.property('message').that.matches(/refused authentication .*Tor.CookieAuthFile/)
    } finally {
      other.close()
    }
  })

  it('fails to connect with an error that says what to check', async () => {
    const server = net.createServer()
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as net.AddressInfo).port
    await new Promise<void>(resolve => server.close(() => { resolve() }))

    await expect(TorControl.connect({ host: '127.0.0.1', port, logger: defaultLogger() })).to.eventually.be.rejected
      .with.property('message').that.matches(/cannot reach tor's control port at 127.0.0.1:\d+ .*is tor running/)
  })

  it('times out a command tor never answers, and closes', async () => {
    // a control port that accepts and stays silent
    const server = net.createServer(() => {})
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))

    try {
      const silent = await TorControl.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, logger: defaultLogger(), commandTimeout: 300 })
      let closed = false
      silent.addEventListener('close', () => { closed = true })

      await expect(silent.command('GETINFO version')).to.eventually.be.rejected.with.property('name', 'TimeoutError')
      await pWaitFor(() => closed, { timeout: 5_000 })
      await expect(silent.command('GETINFO version')).to.eventually.be.rejected.with.property('name', 'TorControlClosedError')
    } finally {
      server.close()
    }
  })

  describe('with a control password (HashedControlPassword)', () => {
    let guarded: OfflineTor

    before(async () => {
      const { stdout } = await promisify(execFile)('tor', ['--hash-password', 'right horse'])
      const hash = stdout.split('\n').find(line => line.startsWith('16:'))
      guarded = await startOfflineTor(['CookieAuthentication 0', `HashedControlPassword ${hash}`])
    })

    after(async () => {
      await guarded?.stop()
    })

    it('authenticates with the right password', async () => {
      const client = await TorControl.connect({ host: '127.0.0.1', port: guarded.controlPort, logger: defaultLogger() })

      try {
        await client.authenticate({ password: 'right horse' })
        expect((await client.getInfo(['version'])).get('version')).to.be.a('string')
      } finally {
        client.close()
      }
    })

    it('refuses a wrong or missing password and says what to set', async () => {
      for (const password of ['wrong horse', undefined]) {
        const client = await TorControl.connect({ host: '127.0.0.1', port: guarded.controlPort, logger: defaultLogger() })

        try {
          await expect(client.authenticate({ password })).to.eventually.be.rejected
            .with.property('message').that.matches(/refused authentication .*set Tor.ControlPassword/)
        } finally {
          client.close()
        }
      }
    })
  })
})
