/**
 * One exchange of the payment protocol on its own stream: the payee opens it
 * with a request, the payer answers with a payment or a reject, the payee
 * ends it with a receipt or a reject. Every read and write has a deadline.
 */
import { pbStream } from '@libp2p/utils'
import { PaymentMessage } from '../pb/payment.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

/** A received message is at most this big: a request or a payment is < 2 KiB */
export const MAX_MESSAGE_SIZE = 16 * 1024

export interface PaymentChannel {
  read(options?: AbortOptions): Promise<PaymentMessage>
  write(message: PaymentMessage, options?: AbortOptions): Promise<void>
  /** Close our side once the last message is written */
  close(options?: AbortOptions): Promise<void>
  abort(err: Error): void
}

export function paymentChannel (stream: Stream): PaymentChannel {
  // protons-runtime and @libp2p/utils type Uint8ArrayList from two copies of the package
  const messages = pbStream(stream, { maxDataLength: MAX_MESSAGE_SIZE }).pb({
    encode: PaymentMessage.encode,
    decode: (data) => PaymentMessage.decode(data.subarray())
  })

  return {
    read: async (options) => messages.read(options),
    write: async (message, options) => { await messages.write(message, options) },
    close: async (options) => {
      await stream.close(options).catch(err => { stream.abort(err) })
    },
    abort: (err) => { stream.abort(err) }
  }
}

export function toHex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}
