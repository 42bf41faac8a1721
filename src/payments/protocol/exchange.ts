/**
 * One exchange of a payment protocol on its own stream, length-prefixed
 * protobuf messages: on `/torplus/payment/1.0.0` the payee opens it with a
 * request, the payer answers with a payment or a reject, the payee ends it
 * with a receipt or a reject; on `/torplus/route/1.0.0` one message and its
 * answer. Every read and write has a deadline.
 */
import { pbStream } from '@libp2p/utils'
import { PaymentMessage } from '../pb/payment.js'
import { RouteMessage } from '../pb/route.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

/** A received message is at most this big: a request or a payment is < 2 KiB */
export const MAX_MESSAGE_SIZE = 16 * 1024

export interface MessageChannel<T> {
  read(options?: AbortOptions): Promise<T>
  write(message: T, options?: AbortOptions): Promise<void>
  /** Close our side once the last message is written */
  close(options?: AbortOptions): Promise<void>
  abort(err: Error): void
}

export type PaymentChannel = MessageChannel<PaymentMessage>
export type RouteChannel = MessageChannel<RouteMessage>

export function paymentChannel (stream: Stream): PaymentChannel {
  return messageChannel(stream, PaymentMessage)
}

export function routeChannel (stream: Stream): RouteChannel {
  return messageChannel(stream, RouteMessage)
}

function messageChannel<T> (stream: Stream, codec: { encode(message: T): Uint8Array, decode(bytes: Uint8Array): T }): MessageChannel<T> {
  // protons-runtime and @libp2p/utils type Uint8ArrayList from two copies of the package
  const messages = pbStream(stream, { maxDataLength: MAX_MESSAGE_SIZE }).pb({
    encode: codec.encode,
    decode: (data) => codec.decode(data.subarray())
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
