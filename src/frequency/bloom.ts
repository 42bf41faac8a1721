/**
 * A blocked Bloom filter: every probe of an item falls in one 64-byte block
 * (one cache line), chosen by the first of two hashes the caller computes
 * (seeded: see hash.ts), the probes placed in it by the second. One memory
 * miss per lookup instead of one per probe, for a slightly higher false
 * positive rate (Putze, Sanders & Singler, 2007). Written here because the
 * one in libp2p's utils ignores its seed and sets one bit per add.
 */

/** Bits in a block: 512, one cache line */
const BLOCK_BITS = 512
const WORDS_PER_BLOCK = BLOCK_BITS / 32

export class BloomFilter {
  /** Exposed for snapshots */
  readonly bits: Uint32Array
  private readonly blocks: number
  private readonly probes: number

  /** `size` bits, a power of two of at least 512 */
  constructor (size: number, probes: number, bits?: Uint32Array) {
    if (!Number.isInteger(Math.log2(size)) || size < BLOCK_BITS) {
      throw new RangeError(`a Bloom filter's size must be a power of two of at least ${BLOCK_BITS} bits`)
    }

    this.blocks = size / BLOCK_BITS
    this.probes = probes
    this.bits = bits ?? new Uint32Array(size / 32)
  }

  /** Whether the item was added; adds it either way */
  testAndAdd (h1: number, h2: number): boolean {
    const base = (h1 & (this.blocks - 1)) * WORDS_PER_BLOCK
    const step = (h2 >>> 16) | 1
    let seen = true

    for (let i = 0; i < this.probes; i++) {
      const bit = (h2 + Math.imul(i, step)) & (BLOCK_BITS - 1)
      const word = base + (bit >>> 5)
      const mask = 1 << (bit & 31)

      if ((this.bits[word] & mask) === 0) {
        seen = false
        this.bits[word] |= mask
      }
    }

    return seen
  }

  has (h1: number, h2: number): boolean {
    const base = (h1 & (this.blocks - 1)) * WORDS_PER_BLOCK
    const step = (h2 >>> 16) | 1

    for (let i = 0; i < this.probes; i++) {
      const bit = (h2 + Math.imul(i, step)) & (BLOCK_BITS - 1)

      if ((this.bits[base + (bit >>> 5)] & (1 << (bit & 31))) === 0) {
        return false
      }
    }

    return true
  }

  add (h1: number, h2: number): void {
    this.testAndAdd(h1, h2)
  }

  clear (): void {
    this.bits.fill(0)
  }
}
