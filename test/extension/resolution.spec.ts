/**
 * Which navigations the extension holds until the node resolved their name:
 * sites.torplus.com/#<keyword> until the node's alias is that site, other
 * TorPlus names until resolved in the last 10 minutes, the rest never
 */
import { expect } from 'aegir/chai'
import { RESOLVED_LIFETIME, resolved, toResolve } from '../../extension/src/resolution.js'

const NOW = 1_000_000_000

describe('extension name resolution', () => {
  it('holds TorPlus names only', () => {
    expect(toResolve('http://example.com/', { names: {} }, NOW)).to.equal(undefined)
    expect(toResolve('http://sites.torplus.com/', { names: {} }, NOW)).to.equal(undefined)
    expect(toResolve('chrome://settings', { names: {} }, NOW)).to.equal(undefined)
    expect(toResolve('http://torplus.example.com/page', { names: {} }, NOW)).to.deep.equal({ name: 'torplus.example.com', alias: false })
    expect(toResolve('http://sites.torplus.com/#video', { names: {} }, NOW)).to.deep.equal({ name: 'video.torplus.eth', alias: true })
  })

  it('lets a resolved name through for a while, and sites.torplus.com only for the site it stands for', () => {
    let known = resolved('http://sites.torplus.com/#video', { names: {} }, NOW)
    known = resolved('http://torplus.example.com/', known, NOW)

    expect(toResolve('http://sites.torplus.com/#video', known, NOW + 1000)).to.equal(undefined)
    expect(toResolve('http://sites.torplus.com/page#video', known, NOW + 1000)).to.equal(undefined)
    expect(toResolve('http://sites.torplus.com/#music', known, NOW + 1000)).to.deep.equal({ name: 'music.torplus.eth', alias: true })
    expect(toResolve('http://torplus.example.com/other', known, NOW + 1000)).to.equal(undefined)
    expect(toResolve('http://torplus.example.com/other', known, NOW + RESOLVED_LIFETIME + 1)).to.deep.equal({ name: 'torplus.example.com', alias: false })

    // the alias moves to the last site resolved
    known = resolved('http://sites.torplus.com/#music', known, NOW + 2000)
    expect(toResolve('http://sites.torplus.com/#video', known, NOW + 3000)).to.deep.equal({ name: 'video.torplus.eth', alias: true })
  })

  it('keeps at most 256 names, and none past its time', () => {
    let known = { names: {} }

    for (let i = 0; i < 300; i++) {
      known = resolved(`http://torplus.site${i}.example.com/`, known, NOW + i)
    }

    expect(Object.keys(known.names)).to.have.lengthOf(256)
    expect(Object.keys(resolved('http://torplus.new.example.com/', known, NOW + RESOLVED_LIFETIME + 400).names)).to.deep.equal(['torplus.new.example.com'])
  })
})
