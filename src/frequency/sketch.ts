/**
 * A count-min sketch with conservative update (Cormode & Muthukrishnan;
 * Estan & Varghese): `depth` rows of `width` 16-bit counters, indexed by
 * double hashing. An estimate never falls below the true count; the update
 * raises only the counters at the minimum, which keeps the over-count small
 * on skewed streams. Counters saturate: the heavy hitters' counts that
 * matter are kept exactly in the top-K.
 */

const MAX_COUNT = 0xffff

export class CountMinSketch {
  readonly width: number
  readonly depth: number
  /** Row after row; exposed for snapshots */
  readonly counters: Uint16Array
  private readonly mask: number

  /** `width` must be a power of two */
  constructor (width: number, depth: number, counters?: Uint16Array) {
    if (!Number.isInteger(Math.log2(width)) || depth < 1) {
      throw new RangeError('the sketch width must be a power of two and its depth at least 1')
    }

    this.width = width
    this.depth = depth
    this.mask = width - 1
    this.counters = counters ?? new Uint16Array(width * depth)
  }

  /** Add `weight` to an item; returns its new estimate */
  add (h1: number, h2: number, weight: number): number {
    const estimate = Math.min(this.estimate(h1, h2) + weight, MAX_COUNT)
    const step = h2 | 1

    for (let row = 0; row < this.depth; row++) {
      const index = row * this.width + ((h1 + Math.imul(row, step)) & this.mask)

      if (this.counters[index] < estimate) {
        this.counters[index] = estimate
      }
    }

    return estimate
  }

  /** The item's count, or more; never less */
  estimate (h1: number, h2: number): number {
    const step = h2 | 1
    let min = MAX_COUNT

    for (let row = 0; row < this.depth; row++) {
      const count = this.counters[row * this.width + ((h1 + Math.imul(row, step)) & this.mask)]

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
