/**
 * A Bloom filter over a bit array, probed by double hashing from two hashes
 * the caller computes (seeded: see hash.ts). Written here because the one in
 * libp2p's utils ignores its seed and sets one bit per add.
 */

export class BloomFilter {
  /** Exposed for snapshots */
  readonly bits: Uint32Array
  private readonly mask: number
  private readonly probes: number

  /** `size` bits, a power of two of at least 32 */
  constructor (size: number, probes: number, bits?: Uint32Array) {
    if (!Number.isInteger(Math.log2(size)) || size < 32) {
      throw new RangeError('a Bloom filter\'s size must be a power of two of at least 32 bits')
    }

    this.mask = size - 1
    this.probes = probes
    this.bits = bits ?? new Uint32Array(size / 32)
  }

  has (h1: number, h2: number): boolean {
    const step = h2 | 1

    for (let i = 0; i < this.probes; i++) {
      const bit = (h1 + Math.imul(i, step)) & this.mask

      if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) {
        return false
      }
    }

    return true
  }

  add (h1: number, h2: number): void {
    const step = h2 | 1

    for (let i = 0; i < this.probes; i++) {
      const bit = (h1 + Math.imul(i, step)) & this.mask
      this.bits[bit >>> 5] |= 1 << (bit & 31)
    }
  }

  clear (): void {
    this.bits.fill(0)
  }
}

/**
 * Two Bloom generations: an item added stays seen for one to two rotations,
 * then is forgotten, so counts are per epoch with no per-item timestamps
 */
export class RotatingBloomFilter {
  private current: BloomFilter
  private previous: BloomFilter

  constructor (size: number, probes: number) {
    this.current = new BloomFilter(size, probes)
    this.previous = new BloomFilter(size, probes)
  }

  /** Whether the item was seen this epoch or the last; adds it either way */
  testAndAdd (h1: number, h2: number): boolean {
    if (this.current.has(h1, h2)) {
      return true
    }

    this.current.add(h1, h2)
    return this.previous.has(h1, h2)
  }

  rotate (): void {
    const oldest = this.previous
    oldest.clear()
    this.previous = this.current
    this.current = oldest
  }
}
