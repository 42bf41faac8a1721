/**
 * Protobuf by hand, for messages a test crafts (well-formed or not) that
 * no encoder of ours writes: bitswap's and kad-dht's
 */
import type { CID } from 'multiformats/cid'

export function varint (value: number): number[] {
  const bytes: number[] = []

  do {
    let byte = value % 128
    value = Math.floor(value / 128)

    if (value > 0) {
      byte |= 0x80
    }

    bytes.push(byte)
  } while (value > 0)

  return bytes
}

/** A length-delimited field */
export function field (number: number, bytes: Uint8Array): Uint8Array {
  return Uint8Array.from([...varint((number << 3) | 2), ...varint(bytes.byteLength), ...bytes])
}

/** A bitswap Message whose wantlist holds these CIDs, as wants for the block or as cancels */
export function wantlistMessage (cids: CID[], options: { cancel?: boolean } = {}): Uint8Array {
  const entries = cids.map(cid => field(1, Uint8Array.from([...field(1, cid.bytes), ...(options.cancel === true ? [3 << 3, 1] : [])])))
  return field(1, Uint8Array.from(entries.flatMap(entry => [...entry])))
}
