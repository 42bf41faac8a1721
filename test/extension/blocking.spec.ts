/**
 * The request rules that keep a TorPlus name's page from being requested
 * before the node resolved it: the block's pattern is routeName's rule
 * (and sites.torplus.com), host for host; names resolved lately, and a tab
 * told its site, are let through
 */
import { expect } from 'aegir/chai'
import { aliasRule, dynamicRules, TORPLUS_URL } from '../../extension/src/blocking.js'
import { routeName } from '../../src/names/index.js'

const HOSTS = [
  'sites.torplus.com', 'www.torplus.com', 'torplus.com', 'video.torplus.eth', 'vitalik.eth', 'eth', 'a.b.c.eth',
  'torplus.example.com', 'blog.torplus.example.org', 'torplus.example.co.uk', 'mytorplus.example.com', 'torplus.example.com.',
  'example.com', 'www.example.com', 'x.torplus.y', 'a.torplus', 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion', '127.0.0.1'
]

describe('extension request rules', () => {
  const pattern = new RegExp(TORPLUS_URL, 'i')

  for (const host of HOSTS) {
    const held = routeName(host).kind !== 'direct' || host === 'sites.torplus.com'

    it(`${host} ${held ? 'waits for the node' : 'goes as it is'}`, () => {
      for (const url of [`http://${host}/`, `https://${host}:8443/a/b?c#d`, `http://${host}`]) {
        expect(pattern.test(url), url).to.equal(held)
      }
    })
  }

  it('blocks TorPlus pages while on, and lets the names resolved lately through', () => {
    expect(dynamicRules(false, { names: { 'video.torplus.eth': 2000 } }, 1000)).to.deep.equal([])
    expect(dynamicRules(true, { names: {} }, 1000)).to.have.lengthOf(1)
    const rules = dynamicRules(true, { names: { 'video.torplus.eth': 2000, 'torplus.old.example.com': 500 } }, 1000)
    expect(rules.map(rule => rule.action.type)).to.deep.equal(['block', 'allow'])
    expect(rules[1].condition.requestDomains).to.deep.equal(['video.torplus.eth'])
    expect(rules[1].priority).to.be.greaterThan(rules[0].priority)
    expect(aliasRule(12).condition).to.deep.equal({ tabIds: [12], requestDomains: ['sites.torplus.com'], resourceTypes: ['main_frame'] })
  })
})
