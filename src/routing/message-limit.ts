/**
 * kad-dht reads each DHT message whole, with no length limit, so a peer that
 * announces a huge message makes us buffer all it sends until the message
 * timeout. This service watches the length prefixes of what arrives on DHT
 * streams, both the requests peers send us and the replies to our queries,
 * and resets a stream as soon as a prefix announces more than the limit.
 * kad-dht then sees a failed stream: an inbound request is dropped, and a
 * query gives that peer up for the rest of the query.
 */
import { InvalidMessageError, serviceDependencies } from '@libp2p/interface'
import { FrameWalker } from '../utils/frame-walker.js'
import { guardedMiddleware } from '../utils/guarded-middleware.js'
import { wrapFirstMessageListener } from '../utils/message-listener.js'
import { DEFAULT_MAX_DHT_MESSAGE_SIZE, DHT_PROTOCOL } from './constants.js'
import { observeLookups } from './lookup-scanner.js'
import type { ProviderLookupObserver } from './lookup-scanner.js'
import type { ComponentLogger, Counter, Logger, Metrics, Startable, StreamMiddleware } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

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

  /**
   * Tell the node's `frequency` component of each GET_PROVIDERS request a
   * peer sends us
   *
   * @default false
   */
  observeLookups?: boolean
}

export interface DHTMessageLimitComponents {
  registrar: Pick<Registrar, 'use' | 'unuse'>
  logger: ComponentLogger
  metrics?: Metrics
  /** Read only with `observeLookups` */
  frequency?: ProviderLookupObserver
}

class DHTMessageLimit implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:dht-message-limit'
  readonly [serviceDependencies]: string[]
  private readonly components: DHTMessageLimitComponents
  private readonly log: Logger
  private readonly maxMessageSize: number
  private readonly protocol: string
  private readonly refused?: Counter
  private readonly observe: boolean
  private started = false

  constructor (components: DHTMessageLimitComponents, init: DHTMessageLimitInit) {
    this.components = components
    this.log = components.logger.forComponent('torplus:routing:message-limit')
    this.maxMessageSize = init.maxMessageSize ?? DEFAULT_MAX_DHT_MESSAGE_SIZE
    this.protocol = init.protocol ?? DHT_PROTOCOL
    this.observe = init.observeLookups === true
    this[serviceDependencies] = this.observe ? ['@torplus/frequency'] : []
    this.refused = components.metrics?.registerCounter('torplus_dht_oversized_messages_total', {
      help: 'DHT streams reset because a peer announced a message over the limit'
    })
  }

  start (): void {
    const observer = this.observe ? this.components.frequency : undefined
    // one registration: a second `use` would replace this one
    this.components.registrar.use(this.protocol, guardedMiddleware([this.limit, ...(observer == null ? [] : [observeLookups(observer, this.maxMessageSize)])]))
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
    wrapFirstMessageListener(stream, listener => {
      const walker = new FrameWalker({ maxLength: this.maxMessageSize })

      return (evt) => {
        walker.push(evt.data)

        if (walker.walking) {
          listener(evt)
          return
        }

        const size = walker.oversizedLength ?? 'unreadable'
        this.log('%p announced a %s byte DHT message, over the %d byte limit: resetting stream %s', connection.remotePeer, size, this.maxMessageSize, stream.id)
        this.refused?.increment()
        stream.abort(new InvalidMessageError(`DHT message of ${size} bytes is over the ${this.maxMessageSize} byte limit`))
      }
    })

    next(stream, connection)
  }
}

/**
 * A libp2p service that resets DHT streams carrying messages over a size limit
 */
export function dhtMessageLimit (init: DHTMessageLimitInit = {}): (components: DHTMessageLimitComponents) => Startable {
  return (components) => new DHTMessageLimit(components, init)
}
