/**
 * The routing rules TorPlus names follow, as a table: the node's proxy, its
 * resolver API and the browser extension all go by this one function
 */
import { expect } from 'aegir/chai'
import { routeName } from '../../src/names/index.js'
import type { NameRoute } from '../../src/names/index.js'

const TABLE: Array<[string, NameRoute]> = [
  // sites.torplus.com/#<keyword> → ENS
  ['http://sites.torplus.com/#video', { kind: 'ens', name: 'video.torplus.eth' }],
  ['https://sites.torplus.com/some/path?q=1#Video', { kind: 'ens', name: 'video.torplus.eth' }],
  ['http://sites.torplus.com/#video.torplus.eth', { kind: 'ens', name: 'video.torplus.eth' }],
  ['http://sites.torplus.com/#blog.video', { kind: 'ens', name: 'blog.video.torplus.eth' }],
  ['http://sites.torplus.com:80/#%20news%20', { kind: 'ens', name: 'news.torplus.eth' }],
  ['sites.torplus.com#video', { kind: 'ens', name: 'video.torplus.eth' }],
  // …and without a keyword, or with one that is not a name, as it is
  ['http://sites.torplus.com/', { kind: 'direct', host: 'sites.torplus.com' }],
  ['http://sites.torplus.com/#', { kind: 'direct', host: 'sites.torplus.com' }],
  ['http://sites.torplus.com/#two words', { kind: 'direct', host: 'sites.torplus.com' }],
  ['http://sites.torplus.com/#a/b', { kind: 'direct', host: 'sites.torplus.com' }],
  ['http://sites.torplus.com/#%E0%A4%A', { kind: 'direct', host: 'sites.torplus.com' }],
  [`http://sites.torplus.com/#${'a'.repeat(64)}`, { kind: 'direct', host: 'sites.torplus.com' }],
  // .eth → ENS
  ['video.torplus.eth', { kind: 'ens', name: 'video.torplus.eth' }],
  ['http://Video.TorPlus.ETH/index.html', { kind: 'ens', name: 'video.torplus.eth' }],
  ['vitalik.eth', { kind: 'ens', name: 'vitalik.eth' }],
  ['video.torplus.eth.', { kind: 'ens', name: 'video.torplus.eth' }],
  ['eth', { kind: 'direct', host: 'eth' }],
  // a torplus label before a domain → DNS TXT
  ['torplus.example.com', { kind: 'dns', name: 'torplus.example.com' }],
  ['http://torplus.example.com:8080/a', { kind: 'dns', name: 'torplus.example.com' }],
  ['blog.torplus.example.org', { kind: 'dns', name: 'blog.torplus.example.org' }],
  ['torplus.example.co.uk', { kind: 'dns', name: 'torplus.example.co.uk' }],
  // …but the project's own hosts, and names that only contain the word, as they are
  ['www.torplus.com', { kind: 'direct', host: 'www.torplus.com' }],
  ['http://www.torplus.com/download', { kind: 'direct', host: 'www.torplus.com' }],
  ['torplus.com', { kind: 'direct', host: 'torplus.com' }],
  ['mytorplus.example.com', { kind: 'direct', host: 'mytorplus.example.com' }],
  ['example.com', { kind: 'direct', host: 'example.com' }],
  // anything else as it is
  ['http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion/', { kind: 'direct', host: 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion' }],
  ['http://127.0.0.1:8080/', { kind: 'direct', host: '127.0.0.1' }],
  ['http://[::1]/', { kind: 'direct', host: '[::1]' }],
  ['', { kind: 'direct', host: '' }],
  ['torplus.exa mple.com', { kind: 'direct', host: 'torplus.exa mple.com' }],
  ['torplus.-bad-.com', { kind: 'direct', host: 'torplus.-bad-.com' }],
  [`torplus.${'a'.repeat(250)}.com`, { kind: 'direct', host: `torplus.${'a'.repeat(250)}.com` }],
  ['http://%zz', { kind: 'direct', host: 'http://%zz' }]
]

describe('TorPlus name routing', () => {
  for (const [target, route] of TABLE) {
    it(`${JSON.stringify(target.slice(0, 60))} → ${route.kind}`, () => {
      expect(routeName(target)).to.deep.equal(route)
    })
  }
})
