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

export interface RelayTerms {
  assetCode: string
  assetIssuer: string
  feeBase: bigint
  feePpm: number
  expiryDelta: number
  maxPending: bigint
  routeKey: Uint8Array
  validUntil: bigint
  signature: Uint8Array
}

export namespace RelayTerms {
  let _codec: Codec<RelayTerms>

  export const codec = (): Codec<RelayTerms> => {
    if (_codec == null) {
      _codec = message<RelayTerms>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.assetCode != null && obj.assetCode !== '')) {
          w.uint32(10)
          w.string(obj.assetCode)
        }

        if ((obj.assetIssuer != null && obj.assetIssuer !== '')) {
          w.uint32(18)
          w.string(obj.assetIssuer)
        }

        if ((obj.feeBase != null && obj.feeBase !== 0n)) {
          w.uint32(24)
          w.uint64(obj.feeBase)
        }

        if ((obj.feePpm != null && obj.feePpm !== 0)) {
          w.uint32(32)
          w.uint32(obj.feePpm)
        }

        if ((obj.expiryDelta != null && obj.expiryDelta !== 0)) {
          w.uint32(40)
          w.uint32(obj.expiryDelta)
        }

        if ((obj.maxPending != null && obj.maxPending !== 0n)) {
          w.uint32(48)
          w.uint64(obj.maxPending)
        }

        if ((obj.routeKey != null && obj.routeKey.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.routeKey)
        }

        if ((obj.validUntil != null && obj.validUntil !== 0n)) {
          w.uint32(64)
          w.uint64(obj.validUntil)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          assetCode: '',
          assetIssuer: '',
          feeBase: 0n,
          feePpm: 0,
          expiryDelta: 0,
          maxPending: 0n,
          routeKey: uint8ArrayAlloc(0),
          validUntil: 0n,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.assetCode = reader.string()
              break
            }
            case 2: {
              obj.assetIssuer = reader.string()
              break
            }
            case 3: {
              obj.feeBase = reader.uint64()
              break
            }
            case 4: {
              obj.feePpm = reader.uint32()
              break
            }
            case 5: {
              obj.expiryDelta = reader.uint32()
              break
            }
            case 6: {
              obj.maxPending = reader.uint64()
              break
            }
            case 7: {
              obj.routeKey = reader.bytes()
              break
            }
            case 8: {
              obj.validUntil = reader.uint64()
              break
            }
            case 9: {
              obj.signature = reader.bytes()
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

  export const encode = (obj: Partial<RelayTerms>): Uint8Array => {
    return encodeMessage(obj, RelayTerms.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RelayTerms>): RelayTerms => {
    return decodeMessage(buf, RelayTerms.codec(), opts)
  }
}

export interface Leg {
  payee: string
  channel: string
  sequence: bigint
  total: bigint
}

export namespace Leg {
  let _codec: Codec<Leg>

  export const codec = (): Codec<Leg> => {
    if (_codec == null) {
      _codec = message<Leg>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.payee != null && obj.payee !== '')) {
          w.uint32(10)
          w.string(obj.payee)
        }

        if ((obj.channel != null && obj.channel !== '')) {
          w.uint32(18)
          w.string(obj.channel)
        }

        if ((obj.sequence != null && obj.sequence !== 0n)) {
          w.uint32(24)
          w.uint64(obj.sequence)
        }

        if ((obj.total != null && obj.total !== 0n)) {
          w.uint32(32)
          w.uint64(obj.total)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          payee: '',
          channel: '',
          sequence: 0n,
          total: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.payee = reader.string()
              break
            }
            case 2: {
              obj.channel = reader.string()
              break
            }
            case 3: {
              obj.sequence = reader.uint64()
              break
            }
            case 4: {
              obj.total = reader.uint64()
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

  export const encode = (obj: Partial<Leg>): Uint8Array => {
    return encodeMessage(obj, Leg.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Leg>): Leg => {
    return decodeMessage(buf, Leg.codec(), opts)
  }
}

export interface RouteOpen {
  onion: Uint8Array
}

export namespace RouteOpen {
  let _codec: Codec<RouteOpen>

  export const codec = (): Codec<RouteOpen> => {
    if (_codec == null) {
      _codec = message<RouteOpen>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.onion != null && obj.onion.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.onion)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          onion: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.onion = reader.bytes()
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

  export const encode = (obj: Partial<RouteOpen>): Uint8Array => {
    return encodeMessage(obj, RouteOpen.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RouteOpen>): RouteOpen => {
    return decodeMessage(buf, RouteOpen.codec(), opts)
  }
}

export interface RouteOpened {
  session: Uint8Array
  leg?: Leg
}

export namespace RouteOpened {
  let _codec: Codec<RouteOpened>

  export const codec = (): Codec<RouteOpened> => {
    if (_codec == null) {
      _codec = message<RouteOpened>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.session != null && obj.session.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.session)
        }

        if (obj.leg != null) {
          w.uint32(18)
          Leg.codec().encode(obj.leg, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          session: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.session = reader.bytes()
              break
            }
            case 2: {
              obj.leg = Leg.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.leg
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

  export const encode = (obj: Partial<RouteOpened>): Uint8Array => {
    return encodeMessage(obj, RouteOpened.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RouteOpened>): RouteOpened => {
    return decodeMessage(buf, RouteOpened.codec(), opts)
  }
}

export interface RouteAdd {
  session: Uint8Array
  hash: Uint8Array
  amount: bigint
  expiry: bigint
  transaction: string
}

export namespace RouteAdd {
  let _codec: Codec<RouteAdd>

  export const codec = (): Codec<RouteAdd> => {
    if (_codec == null) {
      _codec = message<RouteAdd>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.session != null && obj.session.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.session)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.hash)
        }

        if ((obj.amount != null && obj.amount !== 0n)) {
          w.uint32(24)
          w.uint64(obj.amount)
        }

        if ((obj.expiry != null && obj.expiry !== 0n)) {
          w.uint32(32)
          w.uint64(obj.expiry)
        }

        if ((obj.transaction != null && obj.transaction !== '')) {
          w.uint32(42)
          w.string(obj.transaction)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          session: uint8ArrayAlloc(0),
          hash: uint8ArrayAlloc(0),
          amount: 0n,
          expiry: 0n,
          transaction: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.session = reader.bytes()
              break
            }
            case 2: {
              obj.hash = reader.bytes()
              break
            }
            case 3: {
              obj.amount = reader.uint64()
              break
            }
            case 4: {
              obj.expiry = reader.uint64()
              break
            }
            case 5: {
              obj.transaction = reader.string()
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

  export const encode = (obj: Partial<RouteAdd>): Uint8Array => {
    return encodeMessage(obj, RouteAdd.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RouteAdd>): RouteAdd => {
    return decodeMessage(buf, RouteAdd.codec(), opts)
  }
}

export interface RouteHeld {
  hash: Uint8Array
}

export namespace RouteHeld {
  let _codec: Codec<RouteHeld>

  export const codec = (): Codec<RouteHeld> => {
    if (_codec == null) {
      _codec = message<RouteHeld>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.hash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.hash = reader.bytes()
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

  export const encode = (obj: Partial<RouteHeld>): Uint8Array => {
    return encodeMessage(obj, RouteHeld.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RouteHeld>): RouteHeld => {
    return decodeMessage(buf, RouteHeld.codec(), opts)
  }
}

export interface RouteFulfill {
  hash: Uint8Array
  preimage: Uint8Array
}

export namespace RouteFulfill {
  let _codec: Codec<RouteFulfill>

  export const codec = (): Codec<RouteFulfill> => {
    if (_codec == null) {
      _codec = message<RouteFulfill>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.hash)
        }

        if ((obj.preimage != null && obj.preimage.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.preimage)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hash: uint8ArrayAlloc(0),
          preimage: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.hash = reader.bytes()
              break
            }
            case 2: {
              obj.preimage = reader.bytes()
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

  export const encode = (obj: Partial<RouteFulfill>): Uint8Array => {
    return encodeMessage(obj, RouteFulfill.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RouteFulfill>): RouteFulfill => {
    return decodeMessage(buf, RouteFulfill.codec(), opts)
  }
}

export interface RouteSettle {
  hash: Uint8Array
  transaction: string
}

export namespace RouteSettle {
  let _codec: Codec<RouteSettle>

  export const codec = (): Codec<RouteSettle> => {
    if (_codec == null) {
      _codec = message<RouteSettle>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.hash)
        }

        if ((obj.transaction != null && obj.transaction !== '')) {
          w.uint32(18)
          w.string(obj.transaction)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hash: uint8ArrayAlloc(0),
          transaction: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.hash = reader.bytes()
              break
            }
            case 2: {
              obj.transaction = reader.string()
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

  export const encode = (obj: Partial<RouteSettle>): Uint8Array => {
    return encodeMessage(obj, RouteSettle.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RouteSettle>): RouteSettle => {
    return decodeMessage(buf, RouteSettle.codec(), opts)
  }
}

export interface RouteFail {
  hash: Uint8Array
  code: RouteFail.Code
  reason: string
  leg?: Leg
}

export namespace RouteFail {
  export enum Code {
    UNKNOWN = 'UNKNOWN',
    MALFORMED = 'MALFORMED',
    BAD_ONION = 'BAD_ONION',
    REPLAYED = 'REPLAYED',
    RELAY_DISABLED = 'RELAY_DISABLED',
    UNKNOWN_SESSION = 'UNKNOWN_SESSION',
    FEE_TOO_LOW = 'FEE_TOO_LOW',
    EXPIRY_TOO_SOON = 'EXPIRY_TOO_SOON',
    EXPIRY_TOO_FAR = 'EXPIRY_TOO_FAR',
    AMOUNT_TOO_LOW = 'AMOUNT_TOO_LOW',
    UNKNOWN_HASH = 'UNKNOWN_HASH',
    OUT_OF_SYNC = 'OUT_OF_SYNC',
    BAD_PAYMENT = 'BAD_PAYMENT',
    UNFUNDED = 'UNFUNDED',
    LEG_BUSY = 'LEG_BUSY',
    OVER_EXPOSURE = 'OVER_EXPOSURE',
    NEXT_HOP_FAILED = 'NEXT_HOP_FAILED',
    BAD_PREIMAGE = 'BAD_PREIMAGE',
    RATE_LIMITED = 'RATE_LIMITED',
    UNAVAILABLE = 'UNAVAILABLE'
  }

  enum __CodeValues {
    UNKNOWN = 0,
    MALFORMED = 1,
    BAD_ONION = 2,
    REPLAYED = 3,
    RELAY_DISABLED = 4,
    UNKNOWN_SESSION = 5,
    FEE_TOO_LOW = 6,
    EXPIRY_TOO_SOON = 7,
    EXPIRY_TOO_FAR = 8,
    AMOUNT_TOO_LOW = 9,
    UNKNOWN_HASH = 10,
    OUT_OF_SYNC = 11,
    BAD_PAYMENT = 12,
    UNFUNDED = 13,
    LEG_BUSY = 14,
    OVER_EXPOSURE = 15,
    NEXT_HOP_FAILED = 16,
    BAD_PREIMAGE = 17,
    RATE_LIMITED = 18,
    UNAVAILABLE = 19
  }

  export namespace Code {
    export const codec = (): Codec<Code> => {
      return enumeration<Code>(__CodeValues)
    }
  }

  let _codec: Codec<RouteFail>

  export const codec = (): Codec<RouteFail> => {
    if (_codec == null) {
      _codec = message<RouteFail>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.hash)
        }

        if (obj.code != null && __CodeValues[obj.code] !== 0) {
          w.uint32(16)
          RouteFail.Code.codec().encode(obj.code, w)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(26)
          w.string(obj.reason)
        }

        if (obj.leg != null) {
          w.uint32(34)
          Leg.codec().encode(obj.leg, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hash: uint8ArrayAlloc(0),
          code: Code.UNKNOWN,
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.hash = reader.bytes()
              break
            }
            case 2: {
              obj.code = RouteFail.Code.codec().decode(reader)
              break
            }
            case 3: {
              obj.reason = reader.string()
              break
            }
            case 4: {
              obj.leg = Leg.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.leg
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

  export const encode = (obj: Partial<RouteFail>): Uint8Array => {
    return encodeMessage(obj, RouteFail.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RouteFail>): RouteFail => {
    return decodeMessage(buf, RouteFail.codec(), opts)
  }
}

export interface RouteMessage {
  open?: RouteOpen
  opened?: RouteOpened
  add?: RouteAdd
  held?: RouteHeld
  fulfill?: RouteFulfill
  settle?: RouteSettle
  fail?: RouteFail
}

export namespace RouteMessage {
  let _codec: Codec<RouteMessage>

  export const codec = (): Codec<RouteMessage> => {
    if (_codec == null) {
      _codec = message<RouteMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.open != null) {
          w.uint32(10)
          RouteOpen.codec().encode(obj.open, w)
        }

        if (obj.opened != null) {
          w.uint32(18)
          RouteOpened.codec().encode(obj.opened, w)
        }

        if (obj.add != null) {
          w.uint32(26)
          RouteAdd.codec().encode(obj.add, w)
        }

        if (obj.held != null) {
          w.uint32(34)
          RouteHeld.codec().encode(obj.held, w)
        }

        if (obj.fulfill != null) {
          w.uint32(42)
          RouteFulfill.codec().encode(obj.fulfill, w)
        }

        if (obj.settle != null) {
          w.uint32(50)
          RouteSettle.codec().encode(obj.settle, w)
        }

        if (obj.fail != null) {
          w.uint32(58)
          RouteFail.codec().encode(obj.fail, w)
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
              obj.open = RouteOpen.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.open
              })
              break
            }
            case 2: {
              obj.opened = RouteOpened.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.opened
              })
              break
            }
            case 3: {
              obj.add = RouteAdd.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.add
              })
              break
            }
            case 4: {
              obj.held = RouteHeld.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.held
              })
              break
            }
            case 5: {
              obj.fulfill = RouteFulfill.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fulfill
              })
              break
            }
            case 6: {
              obj.settle = RouteSettle.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.settle
              })
              break
            }
            case 7: {
              obj.fail = RouteFail.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fail
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

  export const encode = (obj: Partial<RouteMessage>): Uint8Array => {
    return encodeMessage(obj, RouteMessage.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RouteMessage>): RouteMessage => {
    return decodeMessage(buf, RouteMessage.codec(), opts)
  }
}
