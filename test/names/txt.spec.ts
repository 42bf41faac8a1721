/**
 * `torplus=<onion>` among a name's TXT records: every record read, the
 * first valid one taken, the malformed ones skipped with a reason
 */
import { expect } from 'aegir/chai'
import { onionFromTxt } from '../../src/names/index.js'
import { createOnionKey } from '../../src/transport/index.js'

describe('TXT records of a TorPlus name', () => {
  const one = createOnionKey().serviceId
  const two = createOnionKey().serviceId

  it('takes the torplus= record among others, with or without .onion, in any case', () => {
    expect(onionFromTxt([['v=spf1 -all'], [`torplus=${one}.onion`]])).to.deep.equal({ onion: `${one}.onion`, skipped: [] })
    expect(onionFromTxt([[`TorPlus=${one.toUpperCase()}`]]).onion).to.equal(`${one}.onion`)
  })

  it('joins the character strings of one record', () => {
    expect(onionFromTxt([['torplus=', one.slice(0, 20), `${one.slice(20)}.onion`]]).onion).to.equal(`${one}.onion`)
  })

  it('skips malformed records of ours and takes the first valid one', () => {
    const wrongChecksum = `${one.slice(0, 50)}${one.slice(50) === 'aaaaaa' ? 'bbbbbb' : 'aaaaaa'}`
    const found = onionFromTxt([['torplus=not-an-onion'], [`torplus=${wrongChecksum}.onion`], ['torplus=\u0000\u00ff'], [`torplus=${one}.onion`]])

    expect(found.onion).to.equal(`${one}.onion`)
    expect(found.skipped).to.have.lengthOf(3)
    expect(found.skipped[0]).to.include('is not an onion address')
    expect(found.skipped[1]).to.include('checksum')
    expect(found.skipped[2]).to.match(/^\?\? is not an onion address/)
  })

  it('says when two valid records disagree, and keeps the first', () => {
    const found = onionFromTxt([[`torplus=${one}.onion`], [`torplus=${two}.onion`], [`torplus=${one}`]])

    expect(found.onion).to.equal(`${one}.onion`)
    expect(found.skipped).to.have.lengthOf(1)
    expect(found.skipped[0]).to.include('keep one torplus= record')
  })

  it('skips a record too long to be ours, however it starts', () => {
    const found = onionFromTxt([[`torplus=${one}.onion`, ' '.repeat(300)]])

    expect(found.onion).to.be.undefined()
    expect(found.skipped[0]).to.include('characters')
  })

  it('finds nothing where no record is ours', () => {
    expect(onionFromTxt([])).to.deep.equal({ onion: undefined, skipped: [] })
    expect(onionFromTxt([['google-site-verification=x'], ['torplusx=y'], ['']])).to.deep.equal({ onion: undefined, skipped: [] })
  })
})
