/**
 * Byte counting on a libp2p stream, for any protocol the credit policy
 * meters (bitswap, and a published site's tunnel): what leaves through the
 * credit gate when there is one, what arrives as the muxer hands it over
 */
import { gateOutbound } from './gated-stream.js'
import type { OutboundGate } from './gated-stream.js'
import type { Stream } from '@libp2p/interface'

/**
 * Count what `stream` sends to `peer`; with a gate, each frame waits for it
 * (throttled past the credit limit) and is counted as it leaves
 */
export function meterOutbound (stream: Stream, peer: string, count: (bytes: number) => void, gate?: OutboundGate): void {
  if (gate == null) {
    const send = stream.send.bind(stream)

    stream.send = (data) => {
      count(data.byteLength)
      return send(data)
    }

    return
  }

  gateOutbound(stream, peer, {
    delay: (id, bytes) => gate.delay(id, bytes),
    sent: (id, bytes) => {
      count(bytes)
      gate.sent(id, bytes)
    },
    pause: gate.pause?.bind(gate)
  })
}

/** Count every byte `stream` receives, whether or not anyone reads it yet */
export function countReceived (stream: Stream, count: (bytes: number) => void): void {
  // onData is how the muxer feeds a stream, so counting there sees every byte
  // whether or not the protocol has subscribed yet
  const target = stream as Stream & { onData?(data: { byteLength: number }): void, readBufferLength?: number }
  const onData = target.onData?.bind(stream)

  if (onData == null) {
    return
  }

  // bytes that came with the protocol negotiation wait in the read buffer
  if (target.readBufferLength != null && target.readBufferLength > 0) {
    count(target.readBufferLength)
  }

  target.onData = (data) => {
    count(data.byteLength)
    onData(data)
  }
}
