/**
 * The payment protocol's decoders and handlers, fuzzed on the wire: a peer
 * sends a payer any bytes or any message (signed or not), and answers a
 * payee's bill with any bytes or message. Nothing is paid, nothing is
 * credited, and both nodes serve on.
 */
import { expect } from 'aegir/chai'
import fc from 'fast-check'
import * as lp from 'it-length-prefixed'
import { PAYMENT_PROTOCOL } from '../../src/payments/constants.js'
import { Reject } from '../../src/payments/pb/payment.js'
import { paymentChannel } from '../../src/payments/protocol/exchange.js'
import { createPaymentRequest } from '../../src/payments/protocol/request.js'
import { anyBytes, anyU64, fuzz } from '../utils/fuzz.js'
import { startConnectedPair, startPaymentLedger } from '../utils/payments.js'
import type { PaymentMessage } from '../../src/payments/pb/payment.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'

const anyString = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('', 'TPL', 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7'))

const anyRequest = fc.record({
  id: fc.uint8Array({ maxLength: 32 }),
  payee: anyString,
  assetCode: anyString,
  assetIssuer: anyString,
  amount: anyU64,
  rangeStart: anyU64,
  rangeEnd: anyU64,
  expiry: anyU64,
  nonce: fc.uint8Array({ maxLength: 32 }),
  signature: fc.uint8Array({ maxLength: 96 }),
  channel: anyString,
  sequence: anyU64,
  total: anyU64
})

const anyMessage = fc.oneof(
  anyRequest.map(request => ({ request })),
  fc.record({ requestId: fc.uint8Array({ maxLength: 32 }), transaction: fc.oneof(anyString, fc.base64String({ maxLength: 400 })) }).map(payment => ({ payment })),
  fc.record({ requestId: fc.uint8Array({ maxLength: 32 }), totalPaid: anyU64 }).map(receipt => ({ receipt })),
  fc.record({
    requestId: fc.uint8Array({ maxLength: 32 }),
    // protons puts the enum's codec beside its values
    code: fc.constantFrom(...Object.values(Reject.Code).filter((code): code is Reject.Code => typeof code === 'string')),
    reason: anyString,
    paidThrough: anyU64,
    received: anyU64,
    latest: fc.option(fc.record({ requestId: fc.uint8Array({ maxLength: 32 }), transaction: fc.base64String({ maxLength: 400 }) }), { nil: undefined })
  }).map(reject => ({ reject })),
  fc.constant({})
) as fc.Arbitrary<PaymentMessage>

describe('payment protocol, fuzzed', function () {
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

  const alive = async (): Promise<void> => {
    expect(node.node.helia.libp2p.status).to.equal('started')
    expect(await node.node.wallet.balance()).to.have.property('funded', true)
  }

  it('a payer given any bytes, any message or any signed request pays nothing', async () => {
    const input = fc.oneof(
      anyBytes.map(bytes => ({ raw: bytes })),
      anyMessage.map(message => ({ message })),
      anyRequest.map(request => ({ signed: request }))
    )

    await fuzz(input, async (sent) => {
      const stream = await peer.node.helia.libp2p.dialProtocol(node.node.helia.libp2p.peerId, PAYMENT_PROTOCOL)

      try {
        if ('raw' in sent) {
          stream.send(sent.raw)
          stream.send(lp.encode.single(sent.raw))
        } else {
          const { id, nonce, signature, ...fields } = 'signed' in sent ? sent.signed : { id: 0, nonce: 0, signature: 0 }
          const message = 'signed' in sent ? { request: await createPaymentRequest(fields as any, peer.repo.privateKey) } : sent.message
          await paymentChannel(stream).write(message, { signal: AbortSignal.timeout(5_000) })
        }

        // nothing more comes: a message cut short ends here, not at the node's timeout
        await stream.close({ signal: AbortSignal.timeout(5_000) }).catch(() => {})
        await paymentChannel(stream).read({ signal: AbortSignal.timeout(5_000) }).catch(() => {})
      } finally {
        stream.abort(new Error('done'))
      }
    })

    expect(node.payments.peers().every(p => (p.toPeer?.paid ?? 0n) === 0n)).to.be.true()
    await alive()
  })

  it('a payee whose bill is answered with any bytes or any message credits nothing', async () => {
    const answer = fc.oneof(anyBytes.map(bytes => ({ raw: bytes })), anyMessage.map(message => ({ message })))
    let next: { raw: Uint8Array } | { message: PaymentMessage } = { raw: new Uint8Array(0) }

    await peer.node.helia.libp2p.unhandle(PAYMENT_PROTOCOL)
    await peer.node.helia.libp2p.handle(PAYMENT_PROTOCOL, async (stream) => {
      const channel = paymentChannel(stream)

      try {
        await channel.read({ signal: AbortSignal.timeout(5_000) })

        if ('raw' in next) {
          stream.send(next.raw)
        } else {
          await channel.write(next.message)
        }

        await channel.close()
      } catch (err: any) {
        stream.abort(err)
      }
    }, { maxInboundStreams: 64 })

    // the node has served the peer something to bill for
    const cid = await node.node.fs.addBytes(new Uint8Array(512 * 1024).fill(1))
    for await (const chunk of peer.node.fs.cat(cid, { signal: AbortSignal.timeout(10_000) })) { void chunk }

    await fuzz(answer, async (reply) => {
      next = reply
      const outcome = await node.payments.bill(peer.node.helia.libp2p.peerId, { signal: AbortSignal.timeout(10_000) }).catch((err: Error) => err)
      expect(outcome instanceof Error || outcome.status !== 'paid').to.be.true()
    })

    const account = node.payments.peers().find(p => p.peer === peer.node.helia.libp2p.peerId.toString())?.fromPeer
    expect(account?.received ?? 0n).to.equal(0n)
    expect(account?.paidThrough ?? 0n).to.equal(0n)
    await alive()
  })
})
