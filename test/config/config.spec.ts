import { expect } from 'aegir/chai'
import { defaultConfig, getConfigValue, parseByteSize, parseConfig, setConfigValue } from '../../src/config/index.js'

const PEER = '12D3KooWQELi89ox4mzfaC2MciXJtoyKz5amwqF3suPMsP89PtqB'
const ONION = 'g7c52dik4nselhca7pcddogslb24z5qea67hct7yclawoblboui5f4ad'

describe('config', () => {
  it('fills every default from the identity alone', () => {
    const config = defaultConfig(PEER, ONION)

    expect(config.Addresses.API).to.equal('/ip4/127.0.0.1/tcp/5101')
    expect(config.Addresses.Gateway).to.equal('/ip4/127.0.0.1/tcp/8180')
    expect(config.Datastore.StorageMax).to.equal('10GB')
    expect(config.Addresses.AllowNonLoopback).to.be.false()
    expect(config.Swarm.OnionOnly).to.be.true()
    expect(config.Addresses.Swarm).to.deep.equal([`/onion3/${ONION}:4101`])
    expect(config.Tor.Mode).to.equal('managed')
  })

  it('listens on loopback TCP in development mode', () => {
    expect(defaultConfig(PEER, ONION, { Swarm: { OnionOnly: false } }).Addresses.Swarm).to.deep.equal(['/ip4/127.0.0.1/tcp/4101'])
  })

  it('refuses IP listen addresses in onion-only mode, and external mode without addresses', () => {
    expect(() => setConfigValue(defaultConfig(PEER, ONION), 'Addresses.Swarm', ['/ip4/127.0.0.1/tcp/4101']))
      .to.throw(/"Addresses.Swarm.0": \/ip4\/127.0.0.1\/tcp\/4101 is not an \/onion3 address, and Swarm.OnionOnly is on/)
    expect(() => setConfigValue(defaultConfig(PEER, ONION), 'Tor.Mode', 'external'))
      .to.throw(/"Tor.ControlAddress": required when Tor.Mode is "external"/)
  })

  it('rejects an unknown key, naming it', () => {
    expect(() => parseConfig({ Identity: { PeerID: PEER }, Datastore: { StorageMaxx: 1 } }))
      .to.throw(/unknown config key "Datastore.StorageMaxx"/)
  })

  it('rejects an ill-typed value, naming the key', () => {
    expect(() => parseConfig({ Identity: { PeerID: PEER }, Swarm: { ConnMgr: { HighWater: 'many' } } }))
      .to.throw(/"Swarm.ConnMgr.HighWater"/)
    expect(() => parseConfig({ Identity: { PeerID: PEER }, Addresses: { API: 'localhost:5001' } }))
      .to.throw(/"Addresses.API"/)
  })

  it('gets and sets by dotted key', () => {
    const config = setConfigValue(defaultConfig(PEER, ONION), 'Datastore.StorageMax', '20GiB')

    expect(getConfigValue(config, 'Datastore.StorageMax')).to.equal('20GiB')
    expect(() => getConfigValue(config, 'Datastore.Nope')).to.throw(/unknown config key "Datastore.Nope"/)
    expect(() => setConfigValue(config, 'Datastore.Nope', 1)).to.throw(/unknown config key "Datastore.Nope"/)
    expect(() => setConfigValue(config, 'Nope.Deeper', 1)).to.throw(/unknown config key "Nope.Deeper"/)
    expect(() => setConfigValue(config, 'Datastore.StorageMax', 'lots')).to.throw(/"Datastore.StorageMax"/)
    expect(() => setConfigValue(config, 'Identity.PeerID', 'x')).to.throw(/identity cannot be changed/)
  })

  it('parses byte sizes as Kubo writes them', () => {
    expect(parseByteSize('10GB')).to.equal(10_000_000_000n)
    expect(parseByteSize('1 GiB')).to.equal(1024n ** 3n)
    expect(parseByteSize('512')).to.equal(512n)
    expect(parseByteSize(2048)).to.equal(2048n)
    expect(parseByteSize('10 parsecs')).to.be.undefined()
    expect(parseByteSize(-1)).to.be.undefined()
  })
})
