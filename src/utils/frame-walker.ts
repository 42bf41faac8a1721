/**
 * Walks a stream of length-prefixed protobuf messages as its chunks arrive,
 * without buffering whole messages: each message's top-level fields are
 * handed to a handler, which keeps the few it wants (up to a size) and lets
 * the rest be skipped by their length. A message whose fields make no sense
 * is skipped to its end (the length prefix says where the next one starts);
 * only a length prefix over the limit, or not a varint, ends the walk. Every
 * message read ends with the handler's `end`, malformed or not.
 */
import type { StreamMessageEvent } from '@libp2p/interface'

/** A varint longer than this cannot be a sane length */
const MAX_VARINT_BYTES = 9

const WIRE_VARINT = 0
const WIRE_FIXED64 = 1
const WIRE_BYTES = 2
const WIRE_FIXED32 = 5

export interface FrameFieldHandler {
  /** Most bytes to keep of length-delimited field `field`; a longer one is skipped (0: skip it) */
  keep(field: number): number
  /** A kept length-delimited field */
  bytes?(field: number, value: Uint8Array): void
  /** A varint field (exact up to 2⁵³) */
  varint?(field: number, value: number): void
  /** A message's fields made no sense: the rest of it was skipped */
  malformed?(): void
  /** A message ended */
  end?(): void
}

export interface FrameWalkerInit {
  /** Largest message length accepted; a longer prefix ends the walk */
  maxLength: number
  /** Without one, message bodies are skipped whole */
  fields?: FrameFieldHandler
}

type State = 'length' | 'tag' | 'field-length' | 'varint' | 'keep' | 'skip' | 'skip-frame' | 'done'

export class FrameWalker {
  private readonly maxLength: number
  private readonly fields?: FrameFieldHandler
  private state: State = 'length'
  /** Bytes of the current message not yet read */
  private remaining = 0
  private field = 0
  /** Bytes left to skip or keep in the current field */
  private count = 0
  private kept?: Uint8Array
  private keptOffset = 0
  private value = 0
  private shift = 0
  private varintBytes = 0
  /** The over-long length that ended the walk */
  private oversized?: number

  constructor (init: FrameWalkerInit) {
    this.maxLength = init.maxLength
    this.fields = init.fields
  }

  /** False once the walk ended: a length over the limit or not a varint */
  get walking (): boolean {
    return this.state !== 'done'
  }

  /** The message length over the limit that ended the walk, if that was the cause */
  get oversizedLength (): number | undefined {
    return this.oversized
  }

  /** Feed the stream's next chunk */
  push (chunk: StreamMessageEvent['data']): void {
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray()
    let offset = 0

    while (offset < bytes.byteLength && this.state !== 'done') {
      if (this.state === 'skip' || this.state === 'skip-frame' || this.state === 'keep') {
        const take = Math.min(this.count, bytes.byteLength - offset)

        if (this.state === 'keep' && this.kept != null) {
          this.kept.set(bytes.subarray(offset, offset + take), this.keptOffset)
          this.keptOffset += take
        }

        offset += take
        this.count -= take
        this.remaining -= take

        if (this.count === 0) {
          this.fieldDone()
        }

        continue
      }

      // every other state reads a varint, a byte at a time
      const byte = bytes[offset++]

      if (this.state !== 'length') {
        this.remaining--
      }

      this.value += (byte & 0x7f) * 2 ** this.shift
      this.shift += 7
      this.varintBytes++

      if (this.state === 'length' && this.value > this.maxLength) {
        this.oversized = this.value
        this.state = 'done'
        return
      }

      if ((byte & 0x80) !== 0) {
        if (this.varintBytes >= MAX_VARINT_BYTES) {
          this.endWalkOrFrame()
        } else if (this.state !== 'length' && this.remaining === 0) {
          this.badFrame()
        }

        continue
      }

      const value = this.value
      this.value = 0
      this.shift = 0
      this.varintBytes = 0
      this.varintRead(value)
    }
  }

  private varintRead (value: number): void {
    if (this.state === 'length') {
      this.remaining = value

      if (value === 0) {
        this.fields?.end?.()
      } else if (this.fields == null) {
        this.skipTo('skip-frame', value)
      } else {
        this.state = 'tag'
      }
    } else if (this.state === 'tag') {
      this.tagRead(value)
    } else if (this.state === 'varint') {
      this.fields?.varint?.(this.field, value)
      this.fieldDone()
    } else {
      this.fieldLengthRead(value)
    }
  }

  private tagRead (tag: number): void {
    const wire = tag % 8
    this.field = Math.floor(tag / 8)

    if (this.field === 0) {
      this.badFrame()
    } else if (wire === WIRE_VARINT || wire === WIRE_BYTES) {
      if (this.remaining === 0) {
        this.badFrame()
      } else {
        this.state = wire === WIRE_VARINT ? 'varint' : 'field-length'
      }
    } else if (wire === WIRE_FIXED64 || wire === WIRE_FIXED32) {
      this.skipField(wire === WIRE_FIXED64 ? 8 : 4)
    } else {
      this.badFrame()
    }
  }

  private fieldLengthRead (length: number): void {
    if (length > this.remaining) {
      this.badFrame()
      return
    }

    const keep = this.fields?.keep(this.field) ?? 0

    if (length > keep) {
      this.skipField(length)
      return
    }

    this.kept = new Uint8Array(length)
    this.keptOffset = 0
    this.skipTo('keep', length)

    if (length === 0) {
      this.fieldDone()
    }
  }

  private skipField (length: number): void {
    if (length > this.remaining) {
      this.badFrame()
    } else if (length === 0) {
      this.fieldDone()
    } else {
      this.skipTo('skip', length)
    }
  }

  private skipTo (state: 'skip' | 'skip-frame' | 'keep', count: number): void {
    this.state = state
    this.count = count
  }

  /** A field (or a skipped message) was read whole */
  private fieldDone (): void {
    if (this.state === 'keep' && this.kept != null) {
      const kept = this.kept
      this.kept = undefined
      this.fields?.bytes?.(this.field, kept)
    }

    if (this.remaining > 0) {
      this.state = 'tag'
      return
    }

    this.state = 'length'
    this.fields?.end?.()
  }

  /** The message's fields make no sense: skip the rest of it */
  private badFrame (): void {
    this.kept = undefined
    this.value = 0
    this.shift = 0
    this.varintBytes = 0
    this.fields?.malformed?.()

    if (this.remaining > 0) {
      this.skipTo('skip-frame', this.remaining)
    } else {
      this.state = 'length'
      this.fields?.end?.()
    }
  }

  private endWalkOrFrame (): void {
    if (this.state === 'length') {
      this.state = 'done'
    } else {
      this.badFrame()
    }
  }
}
