/**
 * The multihash inside a CID's bytes, read without building a CID: content
 * is counted by multihash, as the blockstore, pins and DHT keys are, and a
 * wire's bytes are hostile, so anything that is not exactly one CID or one
 * multihash is refused.
 */

/** The raw codec: a block with no links */
export const RAW_CODEC = 0x55
/** dag-pb: what a CIDv0 always is */
export const DAG_PB_CODEC = 0x70

/**
 * The key of a block whatever the CID that names it: a list may name as raw
 * (a DHT key carries no codec) a root that is read as dag-pb
 */
export function blockKey (cid: { multihash: { bytes: Uint8Array } }): string {
  return cid.multihash.bytes.toString()
}

/** A multihash longer than this is not one anybody uses */
export const MAX_MULTIHASH_LENGTH = 128

export interface Content {
  /** The multihash bytes (a view into what was read) */
  multihash: Uint8Array
  /** The CID's codec */
  codec: number
}

/** `bytes` as a CID (v0 or v1), or undefined when they are not exactly one */
export function readCid (bytes: Uint8Array): Content | undefined {
  // a CIDv0 is a bare sha2-256 multihash
  if (bytes.byteLength === 34 && bytes[0] === 0x12 && bytes[1] === 0x20) {
    return { multihash: bytes, codec: DAG_PB_CODEC }
  }

  const version = readVarint(bytes, 0)

  if (version?.value !== 1) {
    return undefined
  }

  const codec = readVarint(bytes, version.next)

  if (codec == null) {
    return undefined
  }

  const multihash = bytes.subarray(codec.next)
  return isMultihash(multihash) ? { multihash, codec: codec.value } : undefined
}

/** Whether `bytes` are exactly one multihash */
export function isMultihash (bytes: Uint8Array): boolean {
  if (bytes.byteLength > MAX_MULTIHASH_LENGTH) {
    return false
  }

  const code = readVarint(bytes, 0)
  const length = code == null ? undefined : readVarint(bytes, code.next)
  return length != null && length.value > 0 && length.next + length.value === bytes.byteLength
}

/** An unsigned varint of at most 4 bytes (a codec or a length) at `offset` */
function readVarint (bytes: Uint8Array, offset: number): { value: number, next: number } | undefined {
  let value = 0

  for (let i = 0; i < 4 && offset + i < bytes.byteLength; i++) {
    const byte = bytes[offset + i]
    value += (byte & 0x7f) * 2 ** (7 * i)

    if ((byte & 0x80) === 0) {
      return { value, next: offset + i + 1 }
    }
  }

  return undefined
}
