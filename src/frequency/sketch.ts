/**
 * A count-min sketch with conservative update (Cormode & Muthukrishnan;
 * Estan & Varghese), blocked as Caffeine's FrequencySketch is: an item's
 * `depth` counters all lie in one 64-byte block (32 16-bit counters, one
 * cache line) chosen by the first hash, placed in it by the second. One
 * memory miss per update instead of one per row. An estimate never falls
 * below the true count; the update raises only the counters at the
 * minimum, which keeps the over-count small on skewed streams. Counters
 * saturate: the heavy hitters' counts that matter are kept exactly in the
 * top-K.
 */

const MAX_COUNT = 0xffff
/** Counters in a block: 32 × 16 bits, one cache line */
const BLOCK_COUNTERS = 32
/** Bits of the second hash that place one counter in its block */
const PLACE_BITS = 5
/** At most this many counters per item: 6 × 5 bits of the second hash */
export const MAX_SKETCH_DEPTH = 6

export class CountMinSketch {
  readonly width: number
  readonly depth: number
  /** Block after block; exposed for snapshots */
  readonly counters: Uint16Array
  private readonly blocks: number

  /** `width × depth` counters in all; `width` a power of two of at least 32 */
  constructor (width: number, depth: number, counters?: Uint16Array) {
    if (!Number.isInteger(Math.log2(width)) || width < BLOCK_COUNTERS || depth < 1 || depth > MAX_SKETCH_DEPTH) {
      throw new RangeError(`the sketch width must be a power of two of at least ${BLOCK_COUNTERS}, its depth from 1 to ${MAX_SKETCH_DEPTH}`)
    }

    this.width = width
    this.depth = depth
    this.blocks = width * depth / BLOCK_COUNTERS
    this.counters = counters ?? new Uint16Array(width * depth)
  }

  /** Add `weight` to an item; returns its new estimate */
  add (h1: number, h2: number, weight: number): number {
    const base = (h1 >>> 0) % this.blocks * BLOCK_COUNTERS
    const estimate = Math.min(this.estimate(h1, h2) + weight, MAX_COUNT)

    for (let i = 0; i < this.depth; i++) {
      const index = base + ((h2 >>> (PLACE_BITS * i)) & (BLOCK_COUNTERS - 1))

      if (this.counters[index] < estimate) {
        this.counters[index] = estimate
      }
    }

    return estimate
  }

  /** The item's count, or more; never less */
  estimate (h1: number, h2: number): number {
    const base = (h1 >>> 0) % this.blocks * BLOCK_COUNTERS
    let min = MAX_COUNT

    for (let i = 0; i < this.depth; i++) {
      const count = this.counters[base + ((h2 >>> (PLACE_BITS * i)) & (BLOCK_COUNTERS - 1))]

      if (count < min) {
        min = count
      }
    }

    return min
  }

  /** Halve every count: the sketch's decay */
  halve (): void {
    const counters = this.counters

    for (let i = 0; i < counters.length; i++) {
      counters[i] >>>= 1
    }
  }
}
