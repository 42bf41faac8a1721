/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, enumeration, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PaymentRequest {
  id: Uint8Array
  payee: string
  assetCode: string
  assetIssuer: string
  amount: bigint
  rangeStart: bigint
  rangeEnd: bigint
  expiry: bigint
  nonce: Uint8Array
  signature: Uint8Array
  channel: string
  sequence: bigint
  total: bigint
  hash?: Uint8Array
  routeKey?: Uint8Array
  attention?: bigint
}

export namespace PaymentRequest {
  let _codec: Codec<PaymentRequest>

  export const codec = (): Codec<PaymentRequest> => {
    if (_codec == null) {
      _codec = message<PaymentRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.payee != null && obj.payee !== '')) {
          w.uint32(18)
          w.string(obj.payee)
        }

        if ((obj.assetCode != null && obj.assetCode !== '')) {
          w.uint32(26)
          w.string(obj.assetCode)
        }

        if ((obj.assetIssuer != null && obj.assetIssuer !== '')) {
          w.uint32(34)
          w.string(obj.assetIssuer)
        }

        if ((obj.amount != null && obj.amount !== 0n)) {
          w.uint32(40)
          w.uint64(obj.amount)
        }

        if ((obj.rangeStart != null && obj.rangeStart !== 0n)) {
          w.uint32(48)
          w.uint64(obj.rangeStart)
        }

        if ((obj.rangeEnd != null && obj.rangeEnd !== 0n)) {
          w.uint32(56)
          w.uint64(obj.rangeEnd)
        }

        if ((obj.expiry != null && obj.expiry !== 0n)) {
          w.uint32(64)
          w.uint64(obj.expiry)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.nonce)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.signature)
        }

        if ((obj.channel != null && obj.channel !== '')) {
          w.uint32(90)
          w.string(obj.channel)
        }

        if ((obj.sequence != null && obj.sequence !== 0n)) {
          w.uint32(96)
          w.uint64(obj.sequence)
        }

        if ((obj.total != null && obj.total !== 0n)) {
          w.uint32(104)
          w.uint64(obj.total)
        }

        if (obj.hash != null) {
          w.uint32(114)
          w.bytes(obj.hash)
        }

        if (obj.routeKey != null) {
          w.uint32(122)
          w.bytes(obj.routeKey)
        }

        if (obj.attention != null) {
          w.uint32(128)
          w.uint64(obj.attention)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          payee: '',
          assetCode: '',
          assetIssuer: '',
          amount: 0n,
          rangeStart: 0n,
          rangeEnd: 0n,
          expiry: 0n,
          nonce: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0),
          channel: '',
          sequence: 0n,
          total: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              obj.payee = reader.string()
              break
            }
            case 3: {
              obj.assetCode = reader.string()
              break
            }
            case 4: {
              obj.assetIssuer = reader.string()
              break
            }
            case 5: {
              obj.amount = reader.uint64()
              break
            }
            case 6: {
              obj.rangeStart = reader.uint64()
              break
            }
            case 7: {
              obj.rangeEnd = reader.uint64()
              break
            }
            case 8: {
              obj.expiry = reader.uint64()
              break
            }
            case 9: {
              obj.nonce = reader.bytes()
              break
            }
            case 10: {
              obj.signature = reader.bytes()
              break
            }
            case 11: {
              obj.channel = reader.string()
              break
            }
            case 12: {
              obj.sequence = reader.uint64()
              break
            }
            case 13: {
              obj.total = reader.uint64()
              break
            }
            case 14: {
              obj.hash = reader.bytes()
              break
            }
            case 15: {
              obj.routeKey = reader.bytes()
              break
            }
            case 16: {
              obj.attention = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<PaymentRequest>): Uint8Array => {
    return encodeMessage(obj, PaymentRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PaymentRequest>): PaymentRequest => {
    return decodeMessage(buf, PaymentRequest.codec(), opts)
  }
}

export interface AttentionOffer {
  amount: bigint
  site: string
}

export namespace AttentionOffer {
  let _codec: Codec<AttentionOffer>

  export const codec = (): Codec<AttentionOffer> => {
    if (_codec == null) {
      _codec = message<AttentionOffer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.amount != null && obj.amount !== 0n)) {
          w.uint32(8)
          w.uint64(obj.amount)
        }

        if ((obj.site != null && obj.site !== '')) {
          w.uint32(18)
          w.string(obj.site)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          amount: 0n,
          site: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.amount = reader.uint64()
              break
            }
            case 2: {
              obj.site = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<AttentionOffer>): Uint8Array => {
    return encodeMessage(obj, AttentionOffer.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttentionOffer>): AttentionOffer => {
    return decodeMessage(buf, AttentionOffer.codec(), opts)
  }
}

export interface Payment {
  requestId: Uint8Array
  transaction: string
  routed?: boolean
}

export namespace Payment {
  let _codec: Codec<Payment>

  export const codec = (): Codec<Payment> => {
    if (_codec == null) {
      _codec = message<Payment>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.requestId != null && obj.requestId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.requestId)
        }

        if ((obj.transaction != null && obj.transaction !== '')) {
          w.uint32(18)
          w.string(obj.transaction)
        }

        if (obj.routed != null) {
          w.uint32(24)
          w.bool(obj.routed)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          requestId: uint8ArrayAlloc(0),
          transaction: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.requestId = reader.bytes()
              break
            }
            case 2: {
              obj.transaction = reader.string()
              break
            }
            case 3: {
              obj.routed = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Payment>): Uint8Array => {
    return encodeMessage(obj, Payment.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Payment>): Payment => {
    return decodeMessage(buf, Payment.codec(), opts)
  }
}

export interface Receipt {
  requestId: Uint8Array
  totalPaid: bigint
}

export namespace Receipt {
  let _codec: Codec<Receipt>

  export const codec = (): Codec<Receipt> => {
    if (_codec == null) {
      _codec = message<Receipt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.requestId != null && obj.requestId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.requestId)
        }

        if ((obj.totalPaid != null && obj.totalPaid !== 0n)) {
          w.uint32(16)
          w.uint64(obj.totalPaid)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          requestId: uint8ArrayAlloc(0),
          totalPaid: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.requestId = reader.bytes()
              break
            }
            case 2: {
              obj.totalPaid = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Receipt>): Uint8Array => {
    return encodeMessage(obj, Receipt.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Receipt => {
    return decodeMessage(buf, Receipt.codec(), opts)
  }
}

export interface Reject {
  requestId: Uint8Array
  code: Reject.Code
  reason: string
  paidThrough: bigint
  received: bigint
  latest?: Payment
}

export namespace Reject {
  export enum Code {
    UNKNOWN = 'UNKNOWN',
    MALFORMED = 'MALFORMED',
    BAD_SIGNATURE = 'BAD_SIGNATURE',
    REPLAYED = 'REPLAYED',
    EXPIRED = 'EXPIRED',
    AMOUNT_MISMATCH = 'AMOUNT_MISMATCH',
    PRICE_TOO_HIGH = 'PRICE_TOO_HIGH',
    OVER_BUDGET = 'OVER_BUDGET',
    INSUFFICIENT_BALANCE = 'INSUFFICIENT_BALANCE',
    NO_TRUSTLINE = 'NO_TRUSTLINE',
    WRONG_ASSET = 'WRONG_ASSET',
    OUT_OF_SYNC = 'OUT_OF_SYNC',
    BAD_PAYMENT = 'BAD_PAYMENT',
    UNAVAILABLE = 'UNAVAILABLE',
    UNFUNDED = 'UNFUNDED',
    BAD_CHANNEL = 'BAD_CHANNEL',
    RATE_LIMITED = 'RATE_LIMITED',
    NOT_OFFERED = 'NOT_OFFERED'
  }

  enum __CodeValues {
    UNKNOWN = 0,
    MALFORMED = 1,
    BAD_SIGNATURE = 2,
    REPLAYED = 3,
    EXPIRED = 4,
    AMOUNT_MISMATCH = 5,
    PRICE_TOO_HIGH = 6,
    OVER_BUDGET = 7,
    INSUFFICIENT_BALANCE = 8,
    NO_TRUSTLINE = 9,
    WRONG_ASSET = 10,
    OUT_OF_SYNC = 11,
    BAD_PAYMENT = 12,
    UNAVAILABLE = 13,
    UNFUNDED = 14,
    BAD_CHANNEL = 15,
    RATE_LIMITED = 16,
    NOT_OFFERED = 17
  }

  export namespace Code {
    export const codec = (): Codec<Code> => {
      return enumeration<Code>(__CodeValues)
    }
  }

  let _codec: Codec<Reject>

  export const codec = (): Codec<Reject> => {
    if (_codec == null) {
      _codec = message<Reject>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.requestId != null && obj.requestId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.requestId)
        }

        if (obj.code != null && __CodeValues[obj.code] !== 0) {
          w.uint32(16)
          Reject.Code.codec().encode(obj.code, w)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(26)
          w.string(obj.reason)
        }

        if ((obj.paidThrough != null && obj.paidThrough !== 0n)) {
          w.uint32(32)
          w.uint64(obj.paidThrough)
        }

        if ((obj.received != null && obj.received !== 0n)) {
          w.uint32(40)
          w.uint64(obj.received)
        }

        if (obj.latest != null) {
          w.uint32(50)
          Payment.codec().encode(obj.latest, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          requestId: uint8ArrayAlloc(0),
          code: Code.UNKNOWN,
          reason: '',
          paidThrough: 0n,
          received: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.requestId = reader.bytes()
              break
            }
            case 2: {
              obj.code = Reject.Code.codec().decode(reader)
              break
            }
            case 3: {
              obj.reason = reader.string()
              break
            }
            case 4: {
              obj.paidThrough = reader.uint64()
              break
            }
            case 5: {
              obj.received = reader.uint64()
              break
            }
            case 6: {
              obj.latest = Payment.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.latest
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Reject>): Uint8Array => {
    return encodeMessage(obj, Reject.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reject>): Reject => {
    return decodeMessage(buf, Reject.codec(), opts)
  }
}

export interface PaymentMessage {
  request?: PaymentRequest
  payment?: Payment
  receipt?: Receipt
  reject?: Reject
  offer?: AttentionOffer
}

export namespace PaymentMessage {
  let _codec: Codec<PaymentMessage>

  export const codec = (): Codec<PaymentMessage> => {
    if (_codec == null) {
      _codec = message<PaymentMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.request != null) {
          w.uint32(10)
          PaymentRequest.codec().encode(obj.request, w)
        }

        if (obj.payment != null) {
          w.uint32(18)
          Payment.codec().encode(obj.payment, w)
        }

        if (obj.receipt != null) {
          w.uint32(26)
          Receipt.codec().encode(obj.receipt, w)
        }

        if (obj.reject != null) {
          w.uint32(34)
          Reject.codec().encode(obj.reject, w)
        }

        if (obj.offer != null) {
          w.uint32(42)
          AttentionOffer.codec().encode(obj.offer, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.request = PaymentRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.request
              })
              break
            }
            case 2: {
              obj.payment = Payment.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.payment
              })
              break
            }
            case 3: {
              obj.receipt = Receipt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.receipt
              })
              break
            }
            case 4: {
              obj.reject = Reject.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.reject
              })
              break
            }
            case 5: {
              obj.offer = AttentionOffer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.offer
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<PaymentMessage>): Uint8Array => {
    return encodeMessage(obj, PaymentMessage.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PaymentMessage>): PaymentMessage => {
    return decodeMessage(buf, PaymentMessage.codec(), opts)
  }
}
