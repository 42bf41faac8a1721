/**
 * Counts the bytes that flow over bitswap streams, per direction, through
 * libp2p's stream middleware: bitswap itself stays untouched. With a gate,
 * outbound frames wait for it (the credit policy's throttle) and inbound
 * streams (a peer's wants) must be admitted by it.
 */
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { guardedMiddleware } from '../utils/guarded-middleware.js'
import { BITSWAP_PROTOCOL } from './constants.js'
import { PaymentRequiredError } from './errors.js'
import { countReceived, meterOutbound } from './metered-stream.js'
import { observeWants } from './want-scanner.js'
import type { OutboundGate } from './gated-stream.js'
import type { PeerTrafficStore } from './peer-traffic.js'
import type { WantObserver } from './want-scanner.js'
import type { ComponentLogger, Counter, Logger, Metrics, Startable, Stream, StreamMiddleware } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

export interface BitswapTrafficMeterComponents {
  registrar: Pick<Registrar, 'use' | 'unuse'>
  logger: ComponentLogger
  metrics?: Metrics
  /** Where per-peer counts go */
  peerTraffic: Pick<PeerTrafficStore, 'addSent' | 'addReceived'>
  /** Read only when `gated` */
  creditGate?: BitswapGate
  /** Read only with `observeWants` */
  frequency?: WantObserver
}

export interface BitswapGate extends OutboundGate {
  /**
   * Whether the peer's inbound stream may reach bitswap; may wait (the
   * stream's data waits in its buffer meanwhile). False resets the stream.
   */
  admit(peer: string, stream: Stream): Promise<boolean>
}

export interface BitswapTrafficMeterInit {
  /**
   * The bitswap protocol to meter
   *
   * @default '/ipfs/bitswap/1.2.0'
   */
  protocol?: string

  /**
   * Pass every stream through the node's credit gate (`creditGate`)
   *
   * @default false
   */
  gated?: boolean

  /**
   * Tell the node's `frequency` component of the wants peers send us
   *
   * @default false
   */
  observeWants?: boolean
}

export interface BitswapTraffic {
  bytesSent: bigint
  bytesReceived: bigint
}

export class BitswapTrafficMeter implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:bitswap:traffic-meter'
  readonly [serviceCapabilities] = ['@torplus/bitswap-traffic']
  readonly [serviceDependencies]: string[]
  private readonly components: BitswapTrafficMeterComponents
  private readonly protocol: string
  private readonly gated: boolean
  private readonly observe: boolean
  private gate?: BitswapGate
  private readonly log: Logger
  private readonly sent?: Counter
  private readonly received?: Counter
  private readonly traffic: BitswapTraffic = { bytesSent: 0n, bytesReceived: 0n }
  private started = false

  constructor (components: BitswapTrafficMeterComponents, init: BitswapTrafficMeterInit = {}) {
    this.components = components
    this.protocol = init.protocol ?? BITSWAP_PROTOCOL
    this.gated = init.gated === true
    this.observe = init.observeWants === true
    this[serviceDependencies] = [
      '@torplus/peer-traffic',
      ...(this.gated ? ['@torplus/credit-gate'] : []),
      ...(this.observe ? ['@torplus/frequency'] : [])
    ]
    this.log = components.logger.forComponent('torplus:bitswap:traffic-meter')
    this.sent = components.metrics?.registerCounter('torplus_bitswap_bytes_sent_total', {
      help: 'Bytes written to bitswap streams'
    })
    this.received = components.metrics?.registerCounter('torplus_bitswap_bytes_received_total', {
      help: 'Bytes read from bitswap streams'
    })
  }

  isStarted (): boolean {
    return this.started
  }

  start (): void {
    if (this.started) {
      return
    }

    this.gate = this.gated ? this.components.creditGate : undefined
    const observer = this.observe ? this.components.frequency : undefined
    // one registration: a second `use` would replace this one. Wants are
    // read after the gate admitted the stream
    this.components.registrar.use(this.protocol, guardedMiddleware([this.meter, ...(observer == null ? [] : [observeWants(observer)])]))
    this.started = true
  }

  stop (): void {
    if (!this.started) {
      return
    }

    this.components.registrar.unuse(this.protocol)
    this.started = false
  }

  stat (): BitswapTraffic {
    return { ...this.traffic }
  }

  private readonly meter: StreamMiddleware = async (stream, connection, next) => {
    this.log.trace('metering %s stream %s with %p', stream.direction, stream.id, connection.remotePeer)
    const peer = connection.remotePeer
    const { peerTraffic } = this.components
    const gate = this.gate
    const countSent = (bytes: number): void => {
      peerTraffic.addSent(peer, bytes)
      this.traffic.bytesSent += BigInt(bytes)
      this.sent?.increment(bytes)
    }

    meterOutbound(stream, peer.toString(), countSent, gate)

    countReceived(stream, bytes => {
      peerTraffic.addReceived(peer, bytes)
      this.traffic.bytesReceived += BigInt(bytes)
      this.received?.increment(bytes)
    })

    if (stream.direction === 'inbound' && gate != null && !await gate.admit(peer.toString(), stream)) {
      // thrown, the stream is reset before bitswap reads the wants
      throw new PaymentRequiredError(peer.toString())
    }

    next(stream, connection)
  }
}

/**
 * Count bitswap bytes per peer and direction, and pass bitswap streams
 * through the credit gate when `gated`
 */
export function bitswapTrafficMeter (init: BitswapTrafficMeterInit = {}): (components: BitswapTrafficMeterComponents) => BitswapTrafficMeter {
  return (components) => new BitswapTrafficMeter(components, init)
}
