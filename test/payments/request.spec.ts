/**
 * Payment requests: signed by the payee's libp2p key over every field, and
 * carried in PaymentMessage envelopes
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { expect } from 'aegir/chai'
import { PaymentMessage, Reject } from '../../src/payments/pb/payment.js'
import { createPaymentRequest, verifyPaymentRequest } from '../../src/payments/protocol/request.js'
import type { PaymentRequest } from '../../src/payments/pb/payment.js'

const fields = {
  payee: 'GB5VR4Q567BBL3A2Q3FIXLWW4KUXZRA3UHSYWSVJFHWPTHJPKCJ5Q67A',
  assetCode: 'TPL',
  assetIssuer: 'GBKAAWSJXB2ZGIHUNVZ2OKWDN45LD5WMIX37A4JLP5TKARZOEGU4D77M',
  amount: 1_048_576n,
  rangeStart: 0n,
  rangeEnd: 16n * 1024n * 1024n,
  expiry: BigInt(Date.now() + 60_000),
  channel: 'GCHANNELXB2ZGIHUNVZ2OKWDN45LD5WMIX37A4JLP5TKARZOEGU4D77M',
  sequence: 4_294_967_297n,
  total: 2_097_152n
}

function fail (): never {
  throw new Error('the request did not survive the round trip')
}

describe('payment requests', () => {
  it('verifies with the payee\'s key and no other', async () => {
    const payee = await generateKeyPair('Ed25519')
    const other = await generateKeyPair('Ed25519')
    const request = await createPaymentRequest(fields, payee)

    expect(request.id).to.have.lengthOf(16)
    expect(request.nonce).to.have.lengthOf(16)
    expect(await verifyPaymentRequest(request, payee.publicKey)).to.be.true()
    expect(await verifyPaymentRequest(request, other.publicKey)).to.be.false()
  })

  it('fails verification when any field is changed', async () => {
    const payee = await generateKeyPair('Ed25519')
    const request = await createPaymentRequest(fields, payee)
    const changes: Array<Partial<PaymentRequest>> = [
      { amount: request.amount + 1n },
      { payee: fields.assetIssuer },
      { rangeEnd: request.rangeEnd - 1n },
      { expiry: request.expiry + 1n },
      { nonce: new Uint8Array(16) },
      { channel: fields.payee },
      { sequence: request.sequence + 1n },
      { total: request.total - 1n },
      { id: new Uint8Array(16) },
      { signature: new Uint8Array(0) }
    ]

    for (const change of changes) {
      expect(await verifyPaymentRequest({ ...request, ...change }, payee.publicKey), JSON.stringify(Object.keys(change))).to.be.false()
    }
  })

  it('travels in a PaymentMessage with exactly what was sent', async () => {
    const payee = await generateKeyPair('Ed25519')
    const request = await createPaymentRequest(fields, payee)
    const decoded = PaymentMessage.decode(PaymentMessage.encode({ request }))

    expect(decoded.request).to.deep.equal(request)
    expect(decoded.payment).to.be.undefined()
    expect(await verifyPaymentRequest(decoded.request ?? fail(), payee.publicKey)).to.be.true()

    const reject = PaymentMessage.decode(PaymentMessage.encode({ reject: { requestId: request.id, code: Reject.Code.REPLAYED, reason: 'seen before', paidThrough: 5n, received: 7n } }))
    expect(reject.reject?.code).to.equal(Reject.Code.REPLAYED)
    expect(reject.reject?.paidThrough).to.equal(5n)
    expect(reject.reject?.latest).to.be.undefined()
  })
})
