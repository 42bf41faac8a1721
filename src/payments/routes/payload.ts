/**
 * What a hop's onion slot says: whether it forwards (and to which peer) or is
 * the payee, and until when the onion may be used
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { PAYLOAD_SIZE } from './onion.js'
import type { PeerId } from '@libp2p/interface'

const FORWARD = 1
const FINAL = 2

export type HopPayload =
  | { kind: 'forward', next: PeerId, expiry: number }
  | { kind: 'final', expiry: number }

export function encodeHopPayload (payload: HopPayload): Uint8Array {
  const next = payload.kind === 'forward' ? payload.next.toMultihash().bytes : new Uint8Array(0)

  if (next.byteLength > PAYLOAD_SIZE - 10) {
    throw new RangeError('the next peer id does not fit an onion slot')
  }

  const bytes = new Uint8Array(10 + next.byteLength)
  const view = new DataView(bytes.buffer)
  bytes[0] = payload.kind === 'forward' ? FORWARD : FINAL
  view.setBigUint64(1, BigInt(payload.expiry))
  bytes[9] = next.byteLength
  bytes.set(next, 10)
  return bytes
}

/** The payload of a peeled slot; undefined when it is not one */
export function decodeHopPayload (bytes: Uint8Array): HopPayload | undefined {
  if (bytes.byteLength < 10) {
    return undefined
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const expiry = Number(view.getBigUint64(1))
  const length = bytes[9]

  if (bytes[0] === FINAL && length === 0) {
    return { kind: 'final', expiry }
  }

  if (bytes[0] !== FORWARD || 10 + length > bytes.byteLength) {
    return undefined
  }

  try {
    return { kind: 'forward', next: peerIdFromMultihash(Digest.decode(bytes.subarray(10, 10 + length))), expiry }
  } catch {
    return undefined
  }
}
