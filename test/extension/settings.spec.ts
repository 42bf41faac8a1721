/**
 * The options the extension keeps, checked before they are kept: a mode it
 * knows, a proxy and an API on this machine only, a token of the node's
 * alphabet; and the proxy settings Chrome gets for each mode
 */
import vm from 'node:vm'
import { expect } from 'aegir/chai'
import { proxyValue } from '../../extension/src/proxy-config.js'
import { checkSettings, DEFAULT_SETTINGS } from '../../extension/src/settings.js'

describe('extension settings', () => {
  it('takes the local node\'s defaults, and loopback addresses', () => {
    expect(checkSettings({})).to.deep.equal({ settings: DEFAULT_SETTINGS })
    expect(checkSettings({ mode: 'all', proxy: ' 127.0.0.2:8118 ', api: 'http://localhost:5102/', token: 'abc+/=' })).to.deep.equal({
      settings: { mode: 'all', proxy: '127.0.0.2:8118', api: 'http://localhost:5102', token: 'abc+/=' }
    })
    expect(checkSettings({ proxy: '[::1]:5103', api: 'http://[::1]:5102' })).to.have.property('settings')
  })

  it('says what is wrong with anything else', () => {
    const problems = [
      { mode: 'sometimes' },
      { proxy: '10.0.0.1:5103' },
      { proxy: 'example.com:80' },
      { proxy: '127.0.0.1' },
      { proxy: '127.0.0.1:99999' },
      { api: 'https://127.0.0.1:5102' },
      { api: 'http://192.168.1.2:5102' },
      { api: 'http://127.0.0.1:5102/api' },
      { api: 'http://user@127.0.0.1:5102' },
      { api: 'not a url' },
      { token: 'has spaces' },
      { token: 'x'.repeat(300) }
    ]

    for (const input of problems) {
      expect(checkSettings(input), JSON.stringify(input)).to.have.property('problem').that.is.a('string')
    }
  })

  it('gives Chrome the node as a fixed proxy, a PAC script, or nothing', () => {
    expect(proxyValue({ mode: 'all', proxy: '127.0.0.1:5103' })).to.deep.equal({ mode: 'fixed_servers', rules: { singleProxy: { scheme: 'http', host: '127.0.0.1', port: 5103 } } })
    expect(proxyValue({ mode: 'off', proxy: '127.0.0.1:5103' })).to.equal(undefined)

    const pac = proxyValue({ mode: 'torplus', proxy: '127.0.0.1:5103' })
    expect(pac).to.have.nested.property('pacScript.mandatory', true)
    const context = vm.createContext({})
    vm.runInContext(pac != null && 'pacScript' in pac ? pac.pacScript.data : '', context)
    expect(vm.runInContext('FindProxyForURL("http://torplus.example.com/", "torplus.example.com")', context)).to.equal('PROXY 127.0.0.1:5103')
    expect(vm.runInContext('FindProxyForURL("https://example.com/", "example.com")', context)).to.equal('DIRECT')
  })
})
