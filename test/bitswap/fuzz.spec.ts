/**
 * Bitswap's decoder, fuzzed on the wire: a peer sends any bytes, and
 * wantlists with any entries, on bitswap streams. The node counts none of
 * it as delivered, serves on, and still serves a block asked for properly.
 */
import { expect } from 'aegir/chai'
import fc from 'fast-check'
import all from 'it-all'
import * as lp from 'it-length-prefixed'
import { BITSWAP_PROTOCOL } from '../../src/bitswap/constants.js'
import { anyBytes, fuzz } from '../utils/fuzz.js'
import { startConnectedPair, startPaymentLedger } from '../utils/payments.js'
import { field } from '../utils/protobuf.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'

/** Wantlist entries with any CID bytes and flags; payload blocks with any prefix and data; presences with any CID */
const anyMessage = fc.record({
  wants: fc.array(fc.record({ cid: fc.uint8Array({ maxLength: 80 }), flags: fc.uint8Array({ maxLength: 8 }) }), { maxLength: 8 }),
  blocks: fc.array(fc.record({ prefix: fc.uint8Array({ maxLength: 12 }), data: fc.uint8Array({ maxLength: 256 }) }), { maxLength: 4 }),
  presences: fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 4 })
}).map(({ wants, blocks, presences }) => Uint8Array.from([
  ...field(1, Uint8Array.from(wants.flatMap(want => [...field(1, Uint8Array.from([...field(1, want.cid), ...want.flags]))]))),
  ...blocks.flatMap(block => [...field(3, Uint8Array.from([...field(1, block.prefix), ...field(2, block.data)]))]),
  ...presences.flatMap(cid => [...field(4, field(1, cid))])
]))

describe('bitswap, fuzzed', function () {
  this.timeout(120_000)
  let ledger: PaymentLedger
  let node: RunningNode
  let peer: RunningNode

  before(async () => {
    ledger = await startPaymentLedger()
    ;[node, peer] = await startConnectedPair(ledger)
  })

  after(async () => {
    await peer?.stop()
    await node?.stop()
    await ledger?.local.stop()
  })

  it('takes any bytes and any message on a bitswap stream, counts none of it delivered, and serves on', async () => {
    const input = fc.oneof(anyBytes.map(bytes => ({ raw: bytes })), anyMessage.map(message => ({ message })))

    await fuzz(input, async (sent) => {
      const stream = await peer.node.helia.libp2p.dialProtocol(node.node.helia.libp2p.peerId, BITSWAP_PROTOCOL)
      stream.send('raw' in sent ? sent.raw : lp.encode.single(sent.message))
      await stream.close().catch(err => { stream.abort(err) })
    })

    expect(node.peerTraffic.get(peer.node.helia.libp2p.peerId).bytesDelivered).to.equal(0n)
    const cid = await node.node.fs.addBytes(new Uint8Array(1000).fill(3))
    expect((await all(peer.node.fs.cat(cid, { signal: AbortSignal.timeout(10_000) })))[0].byteLength).to.equal(1000)
  })
})
