/**
 * The PAC script of the extension's "TorPlus only" mode, run as Chrome runs
 * it (a bare script, FindProxyForURL(url, host)): it sends the node exactly
 * the hosts routeName looks up, and sites.torplus.com and .onion hosts
 */
import vm from 'node:vm'
import { expect } from 'aegir/chai'
import { pacScript, routeName } from '../../src/names/index.js'

const NODE = 'PROXY 127.0.0.1:5103'

/** FindProxyForURL of the script, in a context of its own */
function findProxy (script: string): (url: string, host: string) => string {
  const context = vm.createContext({})
  vm.runInContext(script, context)
  return (url, host) => vm.runInContext(`FindProxyForURL(${JSON.stringify(url)}, ${JSON.stringify(host)})`, context)
}

const HOSTS = [
  'sites.torplus.com', 'SITES.TORPLUS.COM', 'www.torplus.com', 'torplus.com',
  'video.torplus.eth', 'vitalik.eth', 'Video.TorPlus.ETH', 'video.torplus.eth.', 'eth',
  'torplus.example.com', 'blog.torplus.example.org', 'torplus.example.co.uk', 'mytorplus.example.com',
  'example.com', 'www.example.com', 'torplus', 'torplus.com.', 'a.torplus', 'x.torplus.y',
  'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion', 'onion',
  '127.0.0.1', '[::1]', '', 'torplus.-bad-.com', `torplus.${'a'.repeat(250)}.com`, 'torplus.exa_mple.com'
]

describe('PAC script', () => {
  const find = findProxy(pacScript({ host: '127.0.0.1', port: 5103 }))

  for (const host of HOSTS) {
    const lower = host.toLowerCase().replace(/\.$/, '')
    const viaNode = routeName(host).kind !== 'direct' || lower === 'sites.torplus.com' || (lower.endsWith('.onion') && lower !== '.onion')

    it(`${JSON.stringify(host.slice(0, 40))} → ${viaNode ? 'the node' : 'direct'}`, () => {
      expect(find(`http://${host}/`, host)).to.equal(viaNode ? NODE : 'DIRECT')
    })
  }

  it('names the proxy it is given', () => {
    expect(findProxy(pacScript({ host: '127.0.0.5', port: 9999 }))('http://video.torplus.eth/', 'video.torplus.eth')).to.equal('PROXY 127.0.0.5:9999')
  })
})
