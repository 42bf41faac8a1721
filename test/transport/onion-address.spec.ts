import { defaultLogger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { expect } from 'aegir/chai'
import { createOnionKey, isOnion, isValidServiceId, parseOnionMultiaddr, toOnionMultiaddr } from '../../src/transport/onion-address.js'
import { TorControl } from '../../src/transport/tor/control/index.js'
import { startOfflineTor } from '../utils/tor.js'

describe('onion addresses', function () {
  this.timeout(60_000)

  it('derives the address tor derives from the same key', async () => {
    const tor = await startOfflineTor()
    const control = await TorControl.connect({ host: '127.0.0.1', port: tor.controlPort, logger: defaultLogger() })

    try {
      await control.authenticate()

      for (let i = 0; i < 3; i++) {
        const key = createOnionKey()
        const published = await control.addOnion({ privateKey: key.privateKey, ports: [{ virtualPort: 4101, target: '127.0.0.1:4101' }] })
        expect(published.serviceId).to.equal(key.serviceId)
        await control.delOnion(published.serviceId)
      }
    } finally {
      control.close()
      await tor.stop()
    }
  })

  it('checks the checksum', () => {
    const { serviceId } = createOnionKey()
    expect(isValidServiceId(serviceId)).to.be.true()

    const flipped = serviceId.slice(0, 10) + (serviceId[10] === 'a' ? 'b' : 'a') + serviceId.slice(11)
    expect(isValidServiceId(flipped)).to.be.false()
    expect(isValidServiceId('too-short')).to.be.false()
  })

  it('reads and writes /onion3 multiaddrs', () => {
    const { serviceId } = createOnionKey()
    const ma = toOnionMultiaddr(serviceId, 4101)

    expect(ma.toString()).to.equal(`/onion3/${serviceId}:4101`)
    expect(parseOnionMultiaddr(ma.encapsulate('/p2p/12D3KooWQELi89ox4mzfaC2MciXJtoyKz5amwqF3suPMsP89PtqB'))).to.deep.equal({ serviceId, host: `${serviceId}.onion`, port: 4101 })
    expect(isOnion(multiaddr('/ip4/127.0.0.1/tcp/4101'))).to.be.false()
  })
})
