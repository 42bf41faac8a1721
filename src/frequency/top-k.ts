/**
 * The K items with the highest counts, in an indexed min-heap: an update
 * or an insertion that evicts the minimum is O(log K), a lookup O(1). Items
 * are kept in slots (struct of arrays) and found by a 52-bit key the caller
 * derives from its seeded hashes; the multihash is compared on every hit,
 * so a colliding key never takes another item's count.
 */
import { equals } from 'uint8arrays/equals'

/** Flags of an entry */
export const ROOT_CONFIRMED = 1
export const HELD = 2

export interface TopKEntry {
  multihash: Uint8Array
  count: number
  /** The CID codec last seen with it; -1 if none was */
  codec: number
  flags: number
  /** Bit mask of the sources that saw it */
  sources: number
  firstSeen: number
  lastSeen: number
}

export class TopK {
  readonly capacity: number
  private size = 0
  private readonly keys: Float64Array
  private readonly multihashes: Array<Uint8Array | undefined>
  private readonly counts: Float64Array
  private readonly codecs: Int32Array
  private readonly flags: Uint8Array
  private readonly sources: Uint8Array
  private readonly firstSeen: Float64Array
  private readonly lastSeen: Float64Array
  /** heap position → slot */
  private readonly heap: Int32Array
  /** slot → heap position */
  private readonly position: Int32Array
  private readonly slots = new Map<number, number>()

  constructor (capacity: number) {
    this.capacity = capacity
    this.keys = new Float64Array(capacity)
    this.multihashes = new Array(capacity)
    this.counts = new Float64Array(capacity)
    this.codecs = new Int32Array(capacity)
    this.flags = new Uint8Array(capacity)
    this.sources = new Uint8Array(capacity)
    this.firstSeen = new Float64Array(capacity)
    this.lastSeen = new Float64Array(capacity)
    this.heap = new Int32Array(capacity)
    this.position = new Int32Array(capacity)
  }

  get length (): number {
    return this.size
  }

  /** The smallest count held, 0 while there is room */
  get min (): number {
    return this.size < this.capacity || this.size === 0 ? 0 : this.counts[this.heap[0]]
  }

  /** The count held for an item, if it is held */
  count (key: number, multihash: Uint8Array): number | undefined {
    const slot = this.find(key, multihash)
    return slot == null ? undefined : this.counts[slot]
  }

  /**
   * Record an item's new count (never lowered here); it enters if there is
   * room or it beats the minimum, which it then evicts. Returns whether it
   * is held.
   */
  offer (key: number, multihash: Uint8Array, count: number, seen: { codec?: number, flags?: number, source?: number, at: number }): boolean {
    let slot = this.slots.get(key)

    if (slot != null && !equals(this.multihashes[slot] ?? new Uint8Array(), multihash)) {
      return false
    }

    if (slot == null) {
      if (this.size < this.capacity) {
        slot = this.size
        this.heap[slot] = slot
        this.position[slot] = slot
        this.size++
      } else if (count > this.counts[this.heap[0]]) {
        slot = this.heap[0]
        this.slots.delete(this.keys[slot])
      } else {
        return false
      }

      this.keys[slot] = key
      // copied: the bytes may be a view into a message buffer
      this.multihashes[slot] = multihash.slice()
      this.counts[slot] = count
      this.codecs[slot] = seen.codec ?? -1
      this.flags[slot] = 0
      this.sources[slot] = 0
      this.firstSeen[slot] = seen.at
      this.slots.set(key, slot)
    } else if (count > this.counts[slot]) {
      this.counts[slot] = count
    }

    if (seen.codec != null) {
      this.codecs[slot] = seen.codec
    }

    this.flags[slot] |= seen.flags ?? 0
    this.sources[slot] |= seen.source ?? 0
    this.lastSeen[slot] = seen.at
    this.siftDown(this.position[slot])
    this.siftUp(this.position[slot])
    return true
  }

  /** Put back an entry read from a snapshot */
  restore (key: number, entry: TopKEntry): void {
    if (this.offer(key, entry.multihash, entry.count, { codec: entry.codec < 0 ? undefined : entry.codec, flags: entry.flags, source: entry.sources, at: entry.lastSeen })) {
      const slot = this.slots.get(key)

      if (slot != null) {
        this.firstSeen[slot] = entry.firstSeen
      }
    }
  }

  /** Add flags and sources to an item that is held */
  mark (key: number, multihash: Uint8Array, flags: number, sources = 0): void {
    const slot = this.find(key, multihash)

    if (slot != null) {
      this.flags[slot] |= flags
      this.sources[slot] |= sources
    }
  }

  /** Multiply every count by `factor` (< 1): order is kept, so the heap stays valid */
  scale (factor: number): void {
    for (let slot = 0; slot < this.size; slot++) {
      this.counts[slot] *= factor
    }
  }

  /** Every entry, highest count first */
  entries (): TopKEntry[] {
    const entries: TopKEntry[] = []

    for (let slot = 0; slot < this.size; slot++) {
      entries.push({
        multihash: this.multihashes[slot] ?? new Uint8Array(),
        count: this.counts[slot],
        codec: this.codecs[slot],
        flags: this.flags[slot],
        sources: this.sources[slot],
        firstSeen: this.firstSeen[slot],
        lastSeen: this.lastSeen[slot]
      })
    }

    return entries.sort((a, b) => b.count - a.count)
  }

  private find (key: number, multihash: Uint8Array): number | undefined {
    const slot = this.slots.get(key)
    return slot != null && equals(this.multihashes[slot] ?? new Uint8Array(), multihash) ? slot : undefined
  }

  private siftUp (index: number): void {
    const { heap, counts } = this
    const slot = heap[index]

    while (index > 0) {
      const parent = (index - 1) >> 1

      if (counts[heap[parent]] <= counts[slot]) {
        break
      }

      this.place(heap[parent], index)
      index = parent
    }

    this.place(slot, index)
  }

  private siftDown (index: number): void {
    const { heap, counts, size } = this
    const slot = heap[index]

    while (true) {
      const left = 2 * index + 1

      if (left >= size) {
        break
      }

      const right = left + 1
      const child = right < size && counts[heap[right]] < counts[heap[left]] ? right : left

      if (counts[heap[child]] >= counts[slot]) {
        break
      }

      this.place(heap[child], index)
      index = child
    }

    this.place(slot, index)
  }

  private place (slot: number, index: number): void {
    this.heap[index] = slot
    this.position[slot] = index
  }
}
