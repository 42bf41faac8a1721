/**
 * What each peer delivered that we asked it for: the bytes a payer pays
 * for. Raw bitswap traffic is not that: a peer can push blocks nobody
 * wanted, or junk, and counting those let it bill for them. This meter sees
 * the wants we send each peer (session wants too) as bitswap hands them to
 * its network, and the blocks bitswap has verified as they arrive; a block
 * counts once, from a peer we asked for it, with a framing allowance, and an
 * answer to a want (HAVE, DONT_HAVE) counts once as its bytes.
 *
 * Bitswap never tells a peer when we stop wanting a block (it drops the
 * want locally), so a block we asked a peer for counts while we still want
 * it, or for ASKED_TTL after we asked (a copy that arrives after we had it
 * from another peer was still asked for); and a peer serves us now only
 * while a want in the want list that we sent it is alive, or a session's
 * (sent outside the want list) is younger than ASKED_TTL. Bitswap stays
 * unmodified: its network and want list are reached, not replaced (see
 * `bitswapInternals`).
 */
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { base64 } from 'multiformats/bases/base64'
import { ASKED_TTL, BLOCK_FRAMING, MAX_ASKED_PER_PEER, PRESENCE_FRAMING } from './constants.js'
import { BitswapInternalsChangedError } from './errors.js'
import type { PeerTrafficStore } from './peer-traffic.js'
import type { NodeStartEvents } from '../utils/node-start.js'
import type { ComponentLogger, Logger, PeerId, Startable } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** The parts of @helia/bitswap's network and want list this meter uses */
export interface BitswapInternals {
  network: {
    sendMessage(peerId: PeerId, message: { wantlist: Map<string, { cancel?: boolean }> }, options?: unknown): Promise<void>
    addEventListener(type: 'peer:disconnected', listener: (evt: CustomEvent<PeerId>) => void): void
    removeEventListener(type: 'peer:disconnected', listener: (evt: CustomEvent<PeerId>) => void): void
  }
  wantList: {
    wants: Map<string, { cancel: boolean }>
    addEventListener(type: 'block' | 'presence', listener: (evt: CustomEvent<{ sender: PeerId, cid: CID, block?: Uint8Array }>) => void): void
    removeEventListener(type: 'block' | 'presence', listener: (evt: CustomEvent<{ sender: PeerId, cid: CID, block?: Uint8Array }>) => void): void
  }
}

export interface DeliveryMeterComponents {
  peerTraffic: Pick<PeerTrafficStore, 'addDelivered'>
  logger: ComponentLogger
}

export interface DeliveryMeterInit {
  /** Bitswap's internals, once Helia has started it (see `bitswapInternals`) */
  bitswap(): BitswapInternals

  /**
   * The whole node's events: bitswap exists once they say `start`, after
   * libp2p and this meter started
   */
  startAfter: NodeStartEvents
}

interface Asked {
  /** Whether an answer (HAVE, DONT_HAVE) was counted already */
  answered: boolean
  /** When the want was sent, ms since 1970 */
  at: number
  /** Whether it was in the want list when sent (a session's is not) */
  listed: boolean
}

export class DeliveryMeter implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:bitswap:delivery-meter'
  readonly [serviceCapabilities] = ['@torplus/delivery-meter']
  readonly [serviceDependencies] = ['@torplus/peer-traffic']
  private readonly components: DeliveryMeterComponents
  private readonly init: DeliveryMeterInit
  private readonly log: Logger
  /** Per peer, the wants sent to it and not yet delivered or cancelled */
  private readonly asked = new Map<string, Map<string, Asked>>()
  private internals?: BitswapInternals
  private sendMessage?: BitswapInternals['network']['sendMessage']
  private started = false
  private attachFailure?: Error

  constructor (components: DeliveryMeterComponents, init: DeliveryMeterInit) {
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('torplus:bitswap:delivery-meter')
  }

  isStarted (): boolean {
    return this.started
  }

  /**
   * Why bitswap could not be reached at the node's start, if it could not:
   * nothing would be counted as delivered, so no bill would ever be paid
   */
  get failure (): Error | undefined {
    return this.attachFailure
  }

  start (): void {
    this.attachFailure = undefined
    this.init.startAfter.addEventListener('start', this.attach)
    this.started = true
  }

  /** Reach into bitswap, now that Helia has started it */
  private readonly attach = (): void => {
    this.init.startAfter.removeEventListener('start', this.attach)

    if (!this.started || this.internals != null) {
      return
    }

    let internals: BitswapInternals

    try {
      internals = this.internals = this.init.bitswap()
    } catch (err: any) {
      // an event listener cannot fail Helia's start: the node's start reads this and fails
      this.attachFailure = err
      return
    }

    const sendMessage = this.sendMessage = internals.network.sendMessage.bind(internals.network)

    internals.network.sendMessage = async (peerId, message, options) => {
      this.wantsSent(peerId, message.wantlist)
      await sendMessage(peerId, message, options)
    }
    internals.wantList.addEventListener('block', this.onBlock)
    internals.wantList.addEventListener('presence', this.onPresence)
    internals.network.addEventListener('peer:disconnected', this.onDisconnected)
  }

  stop (): void {
    this.init.startAfter.removeEventListener('start', this.attach)
    this.started = false
    const internals = this.internals

    if (internals == null) {
      return
    }

    if (this.sendMessage != null) {
      internals.network.sendMessage = this.sendMessage
    }

    internals.wantList.removeEventListener('block', this.onBlock)
    internals.wantList.removeEventListener('presence', this.onPresence)
    internals.network.removeEventListener('peer:disconnected', this.onDisconnected)
    this.asked.clear()
    this.internals = undefined
  }

  /** Whether we are waiting on the peer for blocks we asked it for */
  serving (peer: PeerId | string): boolean {
    const id = peer.toString()
    const asked = this.asked.get(id)
    const now = Date.now()

    for (const [key, entry] of asked ?? []) {
      if (this.waiting(key, entry, now)) {
        return true
      }

      if (!this.countable(key, entry, now)) {
        asked?.delete(key)
      }
    }

    if (asked?.size === 0) {
      this.asked.delete(id)
    }

    return false
  }

  /** Whether we still wait for the block of a want we sent */
  private waiting (key: string, entry: Asked, now: number): boolean {
    const want = this.internals?.wantList.wants.get(key)
    return entry.listed ? want?.cancel === false : now - entry.at < ASKED_TTL
  }

  /** Whether the block of a want we sent counts when it comes */
  private countable (key: string, entry: Asked, now: number): boolean {
    return now - entry.at < ASKED_TTL || this.internals?.wantList.wants.get(key)?.cancel === false
  }

  private wantsSent (peer: PeerId, wantlist: Map<string, { cancel?: boolean }>): void {
    if (wantlist.size === 0) {
      return
    }

    const id = peer.toString()
    const asked = this.asked.get(id) ?? new Map<string, Asked>()

    for (const [prefixed, entry] of wantlist) {
      // a message keys wants by multibase (with its prefix), the want list by plain base64
      const key = prefixed.slice(1)

      if (entry.cancel === true) {
        asked.delete(key)
      } else if (asked.size < MAX_ASKED_PER_PEER) {
        asked.set(key, { answered: asked.get(key)?.answered ?? false, at: Date.now(), listed: this.internals?.wantList.wants.has(key) === true })
      }
    }

    if (asked.size === 0) {
      this.asked.delete(id)
    } else {
      this.asked.set(id, asked)
    }
  }

  private readonly onBlock = (evt: CustomEvent<{ sender: PeerId, cid: CID, block?: Uint8Array }>): void => {
    const { sender, cid, block } = evt.detail
    const asked = this.asked.get(sender.toString())
    const key = base64.baseEncode(cid.multihash.bytes)
    const entry = asked?.get(key)

    if (block == null || asked == null || entry == null || !this.countable(key, entry, Date.now())) {
      this.log.trace('%p sent %c, which we did not ask it for', sender, cid)
      return
    }

    // delivered: a second copy from the same peer is not counted
    asked.delete(key)

    if (asked.size === 0) {
      this.asked.delete(sender.toString())
    }

    this.components.peerTraffic.addDelivered(sender, block.byteLength + BLOCK_FRAMING)
  }

  private readonly onPresence = (evt: CustomEvent<{ sender: PeerId, cid: CID, block?: Uint8Array }>): void => {
    const { sender, cid, block } = evt.detail
    const entry = this.asked.get(sender.toString())?.get(base64.baseEncode(cid.multihash.bytes))

    // a block is a presence too, counted as the block
    if (block != null || entry == null || entry.answered) {
      return
    }

    entry.answered = true
    this.components.peerTraffic.addDelivered(sender, cid.bytes.byteLength + PRESENCE_FRAMING)
  }

  private readonly onDisconnected = (evt: CustomEvent<PeerId>): void => {
    this.asked.delete(evt.detail.toString())
  }
}

/**
 * The network and want list of Helia's bitswap, inside a started Helia. They are
 * not exported: reached through the block broker `withBitswap` adds, and
 * checked, so that a change upstream fails loudly at start
 */
export function bitswapInternals (helia: object): BitswapInternals {
  const brokers: unknown = (helia as { blockBrokers?: unknown }).blockBrokers
  const broker = Array.isArray(brokers) ? brokers.find(broker => broker?.name === 'bitswap') : undefined
  const bitswap = broker?.bitswap

  if (typeof bitswap?.network?.sendMessage !== 'function' || typeof bitswap?.wantList?.addEventListener !== 'function') {
    throw new BitswapInternalsChangedError()
  }

  return bitswap
}

/**
 * Count what each peer delivered that we asked it for: what we pay it for
 */
export function deliveryMeter (init: DeliveryMeterInit): (components: DeliveryMeterComponents) => DeliveryMeter {
  return (components) => new DeliveryMeter(components, init)
}
