/**
 * Payment requests are signed by the payee's libp2p key, so a payer knows the
 * request comes from the peer that served it the bytes. The signature covers
 * the request encoded with an empty signature field, after a domain prefix
 * that keeps it from being valid as any other signed message.
 */
import { randomBytes } from 'node:crypto'
import { concat as uint8ArrayConcat } from 'uint8arrays/concat'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { PaymentRequest } from '../pb/payment.js'
import type { PrivateKey, PublicKey } from '@libp2p/interface'

const DOMAIN = uint8ArrayFromString('/torplus/payment/1.0.0 request:')

export type UnsignedPaymentRequest = Omit<PaymentRequest, 'id' | 'nonce' | 'signature'>

function signedBytes (request: PaymentRequest): Uint8Array {
  return uint8ArrayConcat([DOMAIN, PaymentRequest.encode({ ...request, signature: new Uint8Array(0) })])
}

/**
 * A new request with a fresh id and nonce, signed by the payee's key
 */
export async function createPaymentRequest (fields: UnsignedPaymentRequest, key: PrivateKey): Promise<PaymentRequest> {
  const request: PaymentRequest = {
    ...fields,
    id: new Uint8Array(randomBytes(16)),
    nonce: new Uint8Array(randomBytes(16)),
    signature: new Uint8Array(0)
  }

  request.signature = new Uint8Array(await key.sign(signedBytes(request)))
  return request
}

/**
 * Whether the request carries a valid signature by `key`
 */
export async function verifyPaymentRequest (request: PaymentRequest, key: PublicKey): Promise<boolean> {
  if (request.signature.byteLength === 0) {
    return false
  }

  try {
    return await key.verify(signedBytes(request), request.signature)
  } catch {
    return false
  }
}
