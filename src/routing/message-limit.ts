/**
 * kad-dht reads each DHT message whole, with no length limit, so a peer that
 * announces a huge message makes us buffer all it sends until the message
 * timeout. This service watches the length prefixes of what arrives on DHT
 * streams, both the requests peers send us and the replies to our queries,
 * and resets a stream as soon as a prefix announces more than the limit.
 * kad-dht then sees a failed stream: an inbound request is dropped, and a
 * query gives that peer up for the rest of the query.
 */
import { InvalidMessageError } from '@libp2p/interface'
import { guardedMiddleware } from '../utils/guarded-middleware.js'
import { DEFAULT_MAX_DHT_MESSAGE_SIZE, DHT_PROTOCOL } from './constants.js'
import type { ComponentLogger, Counter, Logger, Metrics, Startable, Stream, StreamMessageEvent, StreamMiddleware } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

/** A varint longer than this cannot be a sane length */
const MAX_VARINT_BYTES = 9

export interface DHTMessageLimitInit {
  /**
   * Largest DHT message accepted, in bytes. A FIND_NODE or GET_PROVIDERS
   * reply of 20 peers with a few addresses each is under 10 KiB.
   *
   * @default 262_144
   */
  maxMessageSize?: number

  /**
   * @default '/torplus/kad/1.0.0'
   */
  protocol?: string
}

export interface DHTMessageLimitComponents {
  registrar: Pick<Registrar, 'use' | 'unuse'>
  logger: ComponentLogger
  metrics?: Metrics
}

interface MessageListener { (evt: StreamMessageEvent): void }

/**
 * Walks length-prefixed frames across chunks; says when a prefix is too big
 */
class FrameWatcher {
  private remaining = 0
  private length = 0
  private shift = 0
  private prefixBytes = 0

  constructor (private readonly max: number) {}

  /** The oversized length announced in this chunk, if any */
  check (chunk: StreamMessageEvent['data']): number | undefined {
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray()
    let offset = 0

    while (offset < bytes.byteLength) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, bytes.byteLength - offset)
        this.remaining -= skip
        offset += skip
        continue
      }

      const byte = bytes[offset++]
      this.length += (byte & 0x7f) * 2 ** this.shift
      this.shift += 7
      this.prefixBytes++

      if (this.length > this.max || this.prefixBytes > MAX_VARINT_BYTES) {
        return this.length
      }

      if ((byte & 0x80) === 0) {
        this.remaining = this.length
        this.length = 0
        this.shift = 0
        this.prefixBytes = 0
      }
    }

    return undefined
  }
}

class DHTMessageLimit implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:dht-message-limit'
  private readonly components: DHTMessageLimitComponents
  private readonly log: Logger
  private readonly maxMessageSize: number
  private readonly protocol: string
  private readonly refused?: Counter
  private started = false

  constructor (components: DHTMessageLimitComponents, init: DHTMessageLimitInit) {
    this.components = components
    this.log = components.logger.forComponent('torplus:routing:message-limit')
    this.maxMessageSize = init.maxMessageSize ?? DEFAULT_MAX_DHT_MESSAGE_SIZE
    this.protocol = init.protocol ?? DHT_PROTOCOL
    this.refused = components.metrics?.registerCounter('torplus_dht_oversized_messages_total', {
      help: 'DHT streams reset because a peer announced a message over the limit'
    })
  }

  start (): void {
    this.components.registrar.use(this.protocol, guardedMiddleware([this.limit]))
    this.started = true
  }

  stop (): void {
    if (this.started) {
      this.components.registrar.unuse(this.protocol)
      this.started = false
    }
  }

  /**
   * Wrap the stream's first 'message' listener, which is kad-dht's reader; it
   * is added after the middleware ran, so it sees every byte after the
   * protocol negotiation, from the first length prefix on
   */
  private readonly limit: StreamMiddleware = (stream, connection, next) => {
    const addEventListener = stream.addEventListener.bind(stream)
    const removeEventListener = stream.removeEventListener.bind(stream)
    const wrapped = new Map<unknown, MessageListener>()
    const watcher = new FrameWatcher(this.maxMessageSize)

    stream.addEventListener = ((type: string, listener: MessageListener, options?: AddEventListenerOptions) => {
      if (type !== 'message' || wrapped.size > 0 || listener == null) {
        addEventListener(type as any, listener as any, options)
        return
      }

      const guarded: MessageListener = (evt) => {
        const size = watcher.check(evt.data)

        if (size == null) {
          listener(evt)
          return
        }

        this.log('%p announced a %d byte DHT message, over the %d byte limit: resetting stream %s', connection.remotePeer, size, this.maxMessageSize, stream.id)
        this.refused?.increment()
        stream.abort(new InvalidMessageError(`DHT message of ${size} bytes is over the ${this.maxMessageSize} byte limit`))
      }

      wrapped.set(listener, guarded)
      addEventListener('message', guarded as any, options)
    }) as Stream['addEventListener']

    stream.removeEventListener = ((type: string, listener: MessageListener, options?: EventListenerOptions) => {
      removeEventListener(type as any, (type === 'message' ? wrapped.get(listener) ?? listener : listener) as any, options)
    }) as Stream['removeEventListener']

    next(stream, connection)
  }
}

/**
 * A libp2p service that resets DHT streams carrying messages over a size limit
 */
export function dhtMessageLimit (init: DHTMessageLimitInit = {}): (components: DHTMessageLimitComponents) => Startable {
  return (components) => new DHTMessageLimit(components, init)
}
