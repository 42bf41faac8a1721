/**
 * Seeded 32-bit hashing of byte strings (MurmurHash3, x86 32-bit variant).
 * Digests are uniform, but whoever picks content picks its digests: with a
 * secret seed per node, nobody can choose CIDs that land on the same
 * counters or filter bits of a given node.
 */

const C1 = 0xcc9e2d51
const C2 = 0x1b873593

/** A 32-bit hash of `bytes` under `seed`, as an unsigned integer */
export function hash32 (bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0
  const blocks = bytes.byteLength & ~3
  let i = 0

  for (; i < blocks; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)
    k = Math.imul(k, C1)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, C2)
    h ^= k
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }

  let k = 0

  switch (bytes.byteLength & 3) {
    case 3: k ^= bytes[i + 2] << 16 // falls through
    case 2: k ^= bytes[i + 1] << 8 // falls through
    case 1:
      k ^= bytes[i]
      k = Math.imul(k, C1)
      k = (k << 15) | (k >>> 17)
      k = Math.imul(k, C2)
      h ^= k
      break
    default:
  }

  h ^= bytes.byteLength
  return mix32(h)
}

/** MurmurHash3's finaliser: every input bit reaches every output bit */
export function mix32 (value: number): number {
  let h = value | 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Two independent hashes of `bytes`: enough for any number of probes by double hashing */
export interface HashPair { h1: number, h2: number }

export function hashPair (bytes: Uint8Array, seeds: readonly [number, number]): HashPair {
  return { h1: hash32(bytes, seeds[0]), h2: hash32(bytes, seeds[1]) }
}
