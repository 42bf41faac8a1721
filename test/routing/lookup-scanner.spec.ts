/**
 * The lookup scanner reads the key of each GET_PROVIDERS request, and of no
 * other message, however kad-dht's messages are cut
 */
import { expect } from 'aegir/chai'
import fc from 'fast-check'
import * as lp from 'it-length-prefixed'
import { lookupWalker } from '../../src/routing/lookup-scanner.js'
import { fuzz } from '../utils/fuzz.js'
import { DHTMessage } from '../utils/pb/dht.js'
import type { Peer } from '../utils/pb/dht.js'

const GET_PROVIDERS = 3

describe('DHT lookup scanner', () => {
  it('finds the key of every GET_PROVIDERS message and nothing else', async () => {
    const anyMessage = fc.record({
      type: fc.integer({ min: 0, max: 5 }),
      clusterLevelRaw: fc.integer({ min: 0, max: 3 }),
      key: fc.option(fc.uint8Array({ minLength: 1, maxLength: 100 }), { nil: undefined }),
      record: fc.option(fc.uint8Array({ maxLength: 500 }), { nil: undefined }),
      closerPeers: fc.constant<Peer[]>([]),
      providerPeers: fc.array(fc.record({ id: fc.uint8Array({ maxLength: 38 }), addrs: fc.constant<Uint8Array[]>([]), connection: fc.constant(0) }), { maxLength: 3 })
    })

    await fuzz(fc.tuple(fc.array(anyMessage, { minLength: 1, maxLength: 5 }), fc.nat()), async ([messages, cutAt]) => {
      const bytes = Buffer.concat(messages.map(message => lp.encode.single(DHTMessage.encode(message)).subarray()))
      const found: string[] = []
      const walker = lookupWalker(key => { found.push(Buffer.from(key).toString('hex')) }, 256 * 1024)
      const at = cutAt % (bytes.byteLength + 1)
      walker.push(bytes.subarray(0, at))
      walker.push(bytes.subarray(at))

      expect(found).to.deep.equal(messages.filter(message => message.type === GET_PROVIDERS && message.key != null).map(message => Buffer.from(message.key ?? []).toString('hex')))
    })
  })
})
