/**
 * Which navigations wait for the node to resolve their name: TorPlus names
 * not resolved in the last 10 minutes, and every page of sites.torplus.com
 * (the node is told the tab's site right before), once; the rest never
 */
import { expect } from 'aegir/chai'
import { afterCommit, afterResolving, EMPTY_STATE, RESOLVED_LIFETIME, waitsFor } from '../../extension/src/resolution.js'

const NOW = 1_000_000_000
const TAB = 7

describe('extension name resolution', () => {
  it('holds TorPlus names only', () => {
    expect(waitsFor('http://example.com/', TAB, EMPTY_STATE, NOW)).to.equal(undefined)
    expect(waitsFor('chrome://settings', TAB, EMPTY_STATE, NOW)).to.equal(undefined)
    expect(waitsFor('http://www.torplus.com/', TAB, EMPTY_STATE, NOW)).to.equal(undefined)
    expect(waitsFor('http://torplus.example.com/page', TAB, EMPTY_STATE, NOW)).to.deep.equal({ name: 'torplus.example.com', alias: false })
    expect(waitsFor('http://sites.torplus.com/#video', TAB, EMPTY_STATE, NOW)).to.deep.equal({ name: 'video.torplus.eth', alias: true })
    // no keyword and no site known for the tab: let through as it is, once
    expect(waitsFor('http://sites.torplus.com/', TAB, EMPTY_STATE, NOW)).to.deep.equal({ name: undefined, alias: true })
  })

  it('lets a resolved name through for a while', () => {
    const state = afterResolving('http://torplus.example.com/', TAB, 'torplus.example.com', EMPTY_STATE, NOW)
    expect(waitsFor('http://torplus.example.com/other', 99, state, NOW + 1000)).to.equal(undefined)
    expect(waitsFor('http://torplus.example.com/other', 99, state, NOW + RESOLVED_LIFETIME + 1)).to.deep.equal({ name: 'torplus.example.com', alias: false })
  })

  it('lets sites.torplus.com through once per page, and keeps the tab on its site', () => {
    let state = afterResolving('http://sites.torplus.com/#video', TAB, 'video.torplus.eth', EMPTY_STATE, NOW)
    expect(waitsFor('http://sites.torplus.com/#video', TAB, state, NOW)).to.equal(undefined)
    // another tab is not let through
    expect(waitsFor('http://sites.torplus.com/#video', 8, state, NOW)).to.deep.equal({ name: 'video.torplus.eth', alias: true })

    state = afterCommit(TAB, state)
    // the site's own links carry no keyword: the tab's site is told the node again
    expect(waitsFor('http://sites.torplus.com/page2', TAB, state, NOW)).to.deep.equal({ name: 'video.torplus.eth', alias: true })
    expect(waitsFor('http://sites.torplus.com/#music', TAB, state, NOW)).to.deep.equal({ name: 'music.torplus.eth', alias: true })

    state = afterCommit(TAB, state, true)
    expect(state).to.deep.equal(EMPTY_STATE)
  })

  it('keeps at most 256 names and tabs, and no name past its time', () => {
    let state = EMPTY_STATE

    for (let i = 0; i < 300; i++) {
      state = afterResolving(`http://torplus.site${i}.example.com/`, i, `torplus.site${i}.example.com`, state, NOW + i)
      state = afterResolving('http://sites.torplus.com/#video', i + 1, 'video.torplus.eth', state, NOW + i)
    }

    expect(Object.keys(state.names)).to.have.lengthOf(256)
    expect(Object.keys(state.tabSites)).to.have.lengthOf(256)
    expect(state.allowed).to.have.lengthOf(256)
    expect(Object.keys(afterResolving('http://torplus.new.example.com/', 1, 'torplus.new.example.com', state, NOW + RESOLVED_LIFETIME + 400).names)).to.deep.equal(['torplus.new.example.com'])
  })
})
