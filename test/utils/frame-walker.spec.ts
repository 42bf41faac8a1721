/**
 * The streaming frame walker against protons: whatever the chunking, it
 * reads the fields protons wrote; a malformed message costs only itself;
 * an oversized length ends the walk; random bytes never throw
 */
import { expect } from 'aegir/chai'
import fc from 'fast-check'
import * as lp from 'it-length-prefixed'
import { FrameWalker } from '../../src/utils/frame-walker.js'
import { anyBytes, fuzz } from './fuzz.js'
import { DHTMessage } from './pb/dht.js'
import type { Peer } from './pb/dht.js'

interface Read { field: number, value: number | string }

function walk (chunks: Uint8Array[], keep = 1024, maxLength = 1 << 20): { read: Read[], ends: number, malformed: number, walker: FrameWalker } {
  const read: Read[] = []
  let ends = 0
  let malformed = 0
  const walker = new FrameWalker({
    maxLength,
    fields: {
      keep: () => keep,
      bytes: (field, value) => { read.push({ field, value: Buffer.from(value).toString('hex') }) },
      varint: (field, value) => { read.push({ field, value }) },
      malformed: () => { malformed++ },
      end: () => { ends++ }
    }
  })

  chunks.forEach(chunk => { walker.push(chunk) })
  return { read, ends, malformed, walker }
}

function frames (...messages: Uint8Array[]): Uint8Array {
  return Buffer.concat(messages.map(message => lp.encode.single(message).subarray()))
}

/** `bytes` cut at the given offsets */
function cut (bytes: Uint8Array, at: number[]): Uint8Array[] {
  const points = [...new Set(at.map(point => point % (bytes.byteLength + 1)))].sort((a, b) => a - b)
  return [0, ...points].map((start, i) => bytes.subarray(start, points[i] ?? bytes.byteLength)).filter(chunk => chunk.byteLength > 0)
}

const anyMessage = fc.record({
  type: fc.integer({ min: 0, max: 5 }),
  clusterLevelRaw: fc.integer({ min: 0, max: 300 }),
  key: fc.option(fc.uint8Array({ maxLength: 80 }), { nil: undefined }),
  record: fc.option(fc.uint8Array({ maxLength: 3000 }), { nil: undefined }),
  closerPeers: fc.array(fc.record({ id: fc.uint8Array({ maxLength: 40 }), addrs: fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 3 }), connection: fc.integer({ min: 0, max: 3 }) }), { maxLength: 4 }),
  providerPeers: fc.constant<Peer[]>([])
})

describe('frame walker', () => {
  it('reads the fields protons wrote, however the stream is cut', async () => {
    await fuzz(fc.tuple(fc.array(anyMessage, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 20 })), async ([messages, at]) => {
      const whole = walk([frames(...messages.map(message => DHTMessage.encode(message)))])
      const split = walk(cut(frames(...messages.map(message => DHTMessage.encode(message))), at))

      expect(split.read).to.deep.equal(whole.read)
      expect(whole.ends).to.equal(messages.length)
      expect(whole.malformed).to.equal(0)

      // the key, where there is one, is read as protons wrote it
      const keys = whole.read.filter(read => read.field === 2).map(read => read.value)
      expect(keys).to.deep.equal(messages.filter(message => message.key != null).map(message => Buffer.from(message.key ?? []).toString('hex')))
    })
  })

  it('skips a field longer than it keeps, and reads on', () => {
    const message = DHTMessage.encode({ type: 3, clusterLevelRaw: 0, key: new Uint8Array(200).fill(7), closerPeers: [], providerPeers: [] })
    const { read, ends } = walk([frames(message, DHTMessage.encode({ type: 3, clusterLevelRaw: 0, key: Uint8Array.of(1, 2), closerPeers: [], providerPeers: [] }))], 128)

    expect(read).to.deep.equal([{ field: 1, value: 3 }, { field: 1, value: 3 }, { field: 2, value: '0102' }])
    expect(ends).to.equal(2)
  })

  it('skips a malformed message to its end and reads the next', () => {
    // a field length past the message's end, then a group wire type
    const bad1 = Uint8Array.of(0x12, 0x7f, 1, 2)
    const bad2 = Uint8Array.of(0x0b, 1, 2)
    const good = DHTMessage.encode({ type: 3, clusterLevelRaw: 0, key: Uint8Array.of(9), closerPeers: [], providerPeers: [] })
    const { read, malformed, ends } = walk([frames(bad1, bad2, good)])

    expect(malformed).to.equal(2)
    expect(ends).to.equal(3)
    expect(read).to.deep.equal([{ field: 1, value: 3 }, { field: 2, value: '09' }])
  })

  it('ends the walk at a length over the limit, and says which', () => {
    const { walker, ends } = walk([Uint8Array.of(...lp.encode.single(new Uint8Array(300)).subarray(0, 2))], 16, 256)

    expect(walker.walking).to.be.false()
    expect(walker.oversizedLength).to.equal(300)
    expect(ends).to.equal(0)
  })

  it('ends the walk at a length that is not a varint', () => {
    const { walker } = walk([new Uint8Array(12).fill(0x80)], 16, Number.MAX_SAFE_INTEGER)

    expect(walker.walking).to.be.false()
    expect(walker.oversizedLength).to.be.undefined()
  })

  it('takes any bytes without throwing', async () => {
    await fuzz(fc.array(anyBytes, { maxLength: 6 }), async (chunks) => {
      walk(chunks, 64, 4096)
    })
  })
})
