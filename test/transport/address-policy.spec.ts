import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { expect } from 'aegir/chai'
import { checkListenAddresses, loopbackOnlyGater, offlineGater, onionOnlyGater } from '../../src/transport/address-policy.js'
import { createOnionKey } from '../../src/transport/onion-address.js'

const PEER = peerIdFromString('12D3KooWQELi89ox4mzfaC2MciXJtoyKz5amwqF3suPMsP89PtqB')
const ONION = multiaddr(`/onion3/${createOnionKey().serviceId}:4101`)
const IP_ADDRESSES = ['/ip4/127.0.0.1/tcp/4101', '/ip4/203.0.113.7/tcp/4001', '/ip6/::1/tcp/4101', '/dns4/example.com/tcp/443', '/dnsaddr/bootstrap.example'].map(a => multiaddr(a))

describe('address policy', () => {
  it('onion-only: dials and keeps /onion3 and nothing else', async () => {
    const gater = onionOnlyGater()

    expect(await gater.denyDialMultiaddr?.(ONION)).to.be.false()
    expect(await gater.filterMultiaddrForPeer?.(PEER, ONION)).to.be.true()

    for (const ma of IP_ADDRESSES) {
      expect(await gater.denyDialMultiaddr?.(ma), ma.toString()).to.be.true()
      expect(await gater.filterMultiaddrForPeer?.(PEER, ma), ma.toString()).to.be.false()
    }
  })

  it('loopback development mode: never dials off this machine', async () => {
    const gater = loopbackOnlyGater()

    expect(await gater.denyDialMultiaddr?.(multiaddr('/ip4/127.0.0.1/tcp/4101'))).to.be.false()
    expect(await gater.denyDialMultiaddr?.(multiaddr('/ip6/::1/tcp/4101'))).to.be.false()
    expect(await gater.denyDialMultiaddr?.(multiaddr('/ip4/203.0.113.7/tcp/4001'))).to.be.true()
    expect(await gater.denyDialMultiaddr?.(ONION)).to.be.true()
  })

  it('offline: dials nothing', async () => {
    expect(await offlineGater().denyDialMultiaddr?.(ONION)).to.be.true()
  })

  it('refuses non-loopback listeners unless allowed', () => {
    expect(() => { checkListenAddresses(['/ip4/127.0.0.1/tcp/0'], false) }).to.not.throw()
    expect(() => { checkListenAddresses(['/ip4/0.0.0.0/tcp/0'], false) }).to.throw(/refusing to listen on \/ip4\/0.0.0.0\/tcp\/0/)
    expect(() => { checkListenAddresses(['/ip4/0.0.0.0/tcp/0'], true) }).to.not.throw()
  })
})
