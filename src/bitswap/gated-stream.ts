/**
 * An outbound bitswap stream whose frames wait at a gate: `send` forwards a
 * frame at once when the gate allows, and otherwise queues it and returns
 * false, so bitswap waits on `onDrain` as it does for any slow stream (it
 * honours backpressure). `close` waits for the queue. A frame is counted
 * when it leaves, not when bitswap hands it over.
 *
 * A frame leaves only once the stream's write buffer is empty. A muxed
 * stream takes frames past its window into that buffer and asks for more on
 * every window update, so a stream to a fast reader held tens of MiB there:
 * counted as sent, billed and throttled for, while the peer had 1 MiB of it
 * (and held there, the throttle could not slow it). With one frame in the
 * buffer at most, what is counted is what the muxer has, within a frame.
 */
import { raceSignal } from 'race-signal'
import type { Stream } from '@libp2p/interface'

/** What `send` takes, whichever copy of uint8arraylist the caller has */
type Frame = Parameters<Stream['send']>[0]

export interface OutboundGate {
  /** Milliseconds a frame of `bytes` to `peer` must wait; 0 to go now */
  delay(peer: string, bytes: number): number
  /** A frame of `bytes` left for `peer` */
  sent(peer: string, bytes: number): void
  /**
   * Wait `ms` before looking at a held frame again; may end sooner, when
   * what `delay` depends on changed (the peer paid)
   */
  pause?(peer: string, ms: number): Promise<void>
}

/** Longest single sleep, so a closed stream is noticed */
const MAX_SLEEP = 1000

export function gateOutbound (stream: Stream, peer: string, gate: OutboundGate): void {
  const send = stream.send.bind(stream)
  const onDrain = stream.onDrain.bind(stream)
  const close = stream.close.bind(stream)
  const queue: Frame[] = []
  // the running pump, if any
  const state: { pumped?: Promise<void> } = {}

  const forward = async (): Promise<void> => {
    while (queue.length > 0) {
      if (stream.status !== 'open') {
        // aborted or reset while held (bitswap's send timeout): the frames are gone
        queue.length = 0
        return
      }

      if (stream.writeBufferLength > 0) {
        await idle(stream)
        continue
      }

      const wait = gate.delay(peer, queue[0].byteLength)

      if (wait > 0) {
        const ms = Math.min(wait, MAX_SLEEP)
        await (gate.pause?.(peer, ms) ?? new Promise(resolve => setTimeout(resolve, ms)))
        continue
      }

      const data = queue.shift() ?? new Uint8Array(0)
      gate.sent(peer, data.byteLength)

      if (!send(data)) {
        await onDrain()
      }
    }
  }

  const pump = async (): Promise<void> => {
    state.pumped ??= forward().finally(() => { state.pumped = undefined })
    await state.pumped
  }

  stream.send = (data) => {
    if (state.pumped == null && queue.length === 0 && stream.writeBufferLength === 0 && gate.delay(peer, data.byteLength) === 0) {
      gate.sent(peer, data.byteLength)
      return send(data)
    }

    queue.push(data)
    void pump().catch(err => { stream.abort(err) })
    return false
  }

  stream.onDrain = async (options) => {
    while (state.pumped != null) {
      await raceSignal(state.pumped, options?.signal)
    }

    if (stream.writableNeedsDrain) {
      await onDrain(options)
    }
  }

  stream.close = async (options) => {
    while (state.pumped != null) {
      await raceSignal(state.pumped, options?.signal)
    }

    await close(options)
  }
}

/** Until the stream's write buffer empties, or MAX_SLEEP, so a closed stream is noticed */
async function idle (stream: Stream): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      stream.removeEventListener('idle', done)
      resolve()
    }
    const timer = setTimeout(done, MAX_SLEEP)
    stream.addEventListener('idle', done)
  })
}
