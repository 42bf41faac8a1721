/**
 * The want scanner against protons' encoding of bitswap messages: it finds
 * every want (and no cancel) of every message, whatever blocks and
 * presences come with them and however the stream is cut; a want list
 * over the size it reads is passed over, and bytes that are not bitswap
 * never throw
 */
import { expect } from 'aegir/chai'
import fc from 'fast-check'
import * as lp from 'it-length-prefixed'
import { wantWalker } from '../../src/bitswap/want-scanner.js'
import { anyBytes, fuzz } from '../utils/fuzz.js'
import { BitswapMessage, WantType } from '../utils/pb/bitswap.js'
import type { Want } from '../../src/bitswap/index.js'

const anyEntry = fc.record({
  cid: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  priority: fc.integer({ min: -5, max: 100 }),
  cancel: fc.option(fc.boolean(), { nil: undefined }),
  wantType: fc.option(fc.constantFrom(WantType.WantBlock, WantType.WantHave), { nil: undefined }),
  sendDontHave: fc.option(fc.boolean(), { nil: undefined })
})

const anyMessage = fc.record({
  wantlist: fc.option(fc.record({ entries: fc.array(anyEntry, { maxLength: 20 }), full: fc.option(fc.boolean(), { nil: undefined }) }), { nil: undefined }),
  blocks: fc.array(fc.record({ prefix: fc.uint8Array({ maxLength: 8 }), data: fc.uint8Array({ maxLength: 2000 }) }), { maxLength: 3 }),
  blockPresences: fc.array(fc.record({ cid: fc.uint8Array({ maxLength: 40 }), type: fc.integer({ min: 0, max: 1 }) }), { maxLength: 3 }),
  pendingBytes: fc.nat()
})

function scan (chunks: Uint8Array[]): { wants: Want[], unreadable: number } {
  const wants: Want[] = []
  let unreadable = 0
  const walker = wantWalker(found => { wants.push(...found) }, () => { unreadable++ })
  chunks.forEach(chunk => { walker.push(chunk) })
  return { wants, unreadable }
}

function stream (messages: Uint8Array[]): Uint8Array {
  return Buffer.concat(messages.map(message => lp.encode.single(message).subarray()))
}

describe('bitswap want scanner', () => {
  it('finds every want of every message, and no cancel, however the stream is cut', async () => {
    await fuzz(fc.tuple(fc.array(anyMessage, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 16 })), async ([messages, at]) => {
      const bytes = stream(messages.map(message => BitswapMessage.encode(message)))
      const points = [...new Set(at.map(point => point % (bytes.byteLength + 1)))].sort((a, b) => a - b)
      const chunks = [0, ...points].map((start, i) => bytes.subarray(start, points[i] ?? bytes.byteLength))
      const expected = messages.flatMap(message => message.wantlist?.entries ?? [])
        .filter(entry => entry.cancel !== true)
        .map(entry => ({ cid: Buffer.from(entry.cid).toString('hex'), have: entry.wantType === WantType.WantHave }))

      const { wants, unreadable } = scan(chunks)

      expect(unreadable).to.equal(0)
      expect(wants.map(want => ({ cid: Buffer.from(want.cid).toString('hex'), have: want.have }))).to.deep.equal(expected)
    })
  })

  it('passes over a want list longer than it reads, and reads the next message', () => {
    const entries = Array.from({ length: 2000 }, (_, i) => ({ cid: new Uint8Array(36).fill(i % 256), priority: 1 }))
    const { wants } = scan([stream([
      BitswapMessage.encode({ wantlist: { entries }, blocks: [], blockPresences: [], pendingBytes: 0 }),
      BitswapMessage.encode({ wantlist: { entries: [{ cid: Uint8Array.of(1, 2, 3), priority: 1 }] }, blocks: [], blockPresences: [], pendingBytes: 0 })
    ])])

    expect(wants).to.have.lengthOf(1)
    expect([...wants[0].cid]).to.deep.equal([1, 2, 3])
  })

  it('reports a want list that does not decode, and reads on', () => {
    // field 1 of the message holds an entry whose length runs past the list
    const broken = Uint8Array.of(0x0a, 0x03, 0x0a, 0x7f, 0x00)
    const good = BitswapMessage.encode({ wantlist: { entries: [{ cid: Uint8Array.of(4), priority: 1 }] }, blocks: [], blockPresences: [], pendingBytes: 0 })
    const { wants, unreadable } = scan([stream([broken, good])])

    expect(unreadable).to.equal(1)
    expect(wants).to.have.lengthOf(1)
  })

  it('takes any bytes without throwing', async () => {
    await fuzz(fc.array(anyBytes, { maxLength: 6 }), async (chunks) => {
      scan(chunks)
    })
  })
})
