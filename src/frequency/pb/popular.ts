/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, MaxLengthError, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PopularRequest {
  limit: number
  ifNewerThan: bigint
}

export namespace PopularRequest {
  let _codec: Codec<PopularRequest>

  export const codec = (): Codec<PopularRequest> => {
    if (_codec == null) {
      _codec = message<PopularRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(8)
          w.uint32(obj.limit)
        }

        if ((obj.ifNewerThan != null && obj.ifNewerThan !== 0n)) {
          w.uint32(16)
          w.uint64(obj.ifNewerThan)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          limit: 0,
          ifNewerThan: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.limit = reader.uint32()
              break
            }
            case 2: {
              obj.ifNewerThan = reader.uint64()
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

  export const encode = (obj: Partial<PopularRequest>): Uint8Array => {
    return encodeMessage(obj, PopularRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PopularRequest>): PopularRequest => {
    return decodeMessage(buf, PopularRequest.codec(), opts)
  }
}

export interface PopularResponse {
  snapshotTime: bigint
  halfLifeS: number
  notModified: boolean
  entries: PopularEntry[]
}

export namespace PopularResponse {
  let _codec: Codec<PopularResponse>

  export const codec = (): Codec<PopularResponse> => {
    if (_codec == null) {
      _codec = message<PopularResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.snapshotTime != null && obj.snapshotTime !== 0n)) {
          w.uint32(8)
          w.uint64(obj.snapshotTime)
        }

        if ((obj.halfLifeS != null && obj.halfLifeS !== 0)) {
          w.uint32(16)
          w.uint32(obj.halfLifeS)
        }

        if ((obj.notModified != null && obj.notModified !== false)) {
          w.uint32(24)
          w.bool(obj.notModified)
        }

        if (obj.entries != null) {
          for (const value of obj.entries) {
            w.uint32(34)
            PopularEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          snapshotTime: 0n,
          halfLifeS: 0,
          notModified: false,
          entries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.snapshotTime = reader.uint64()
              break
            }
            case 2: {
              obj.halfLifeS = reader.uint32()
              break
            }
            case 3: {
              obj.notModified = reader.bool()
              break
            }
            case 4: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - map field "entries" had too many elements')
              }

              obj.entries.push(PopularEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
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

  export const encode = (obj: Partial<PopularResponse>): Uint8Array => {
    return encodeMessage(obj, PopularResponse.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PopularResponse>): PopularResponse => {
    return decodeMessage(buf, PopularResponse.codec(), opts)
  }
}

export interface PopularEntry {
  cid: Uint8Array
  requesters: number
  dagSize: bigint
  flags: number
}

export namespace PopularEntry {
  let _codec: Codec<PopularEntry>

  export const codec = (): Codec<PopularEntry> => {
    if (_codec == null) {
      _codec = message<PopularEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.cid)
        }

        if ((obj.requesters != null && obj.requesters !== 0)) {
          w.uint32(16)
          w.uint32(obj.requesters)
        }

        if ((obj.dagSize != null && obj.dagSize !== 0n)) {
          w.uint32(24)
          w.uint64(obj.dagSize)
        }

        if ((obj.flags != null && obj.flags !== 0)) {
          w.uint32(32)
          w.uint32(obj.flags)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cid: uint8ArrayAlloc(0),
          requesters: 0,
          dagSize: 0n,
          flags: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cid = reader.bytes()
              break
            }
            case 2: {
              obj.requesters = reader.uint32()
              break
            }
            case 3: {
              obj.dagSize = reader.uint64()
              break
            }
            case 4: {
              obj.flags = reader.uint32()
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

  export const encode = (obj: Partial<PopularEntry>): Uint8Array => {
    return encodeMessage(obj, PopularEntry.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PopularEntry>): PopularEntry => {
    return decodeMessage(buf, PopularEntry.codec(), opts)
  }
}
