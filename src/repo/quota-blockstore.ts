/**
 * A blockstore-fs that knows how many bytes it holds and refuses a put that
 * would take it past Datastore.StorageMax. A block costs what its file takes
 * on disk: its size rounded up to whole filesystem blocks, one at least
 * (counting data bytes alone, a 1-byte chunker filled 4.3 times the quota).
 * Sizes come from the files themselves, so the count is right after a crash
 * too.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { FsBlockstore } from 'blockstore-fs'
import { NextToLast } from 'blockstore-fs/sharding'
import { StorageQuotaExceededError } from './errors.js'
import type { AbortOptions } from '@libp2p/interface'
import type { Blockstore, InputPair, Pair } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'

/** Bytes a file takes at least, where the filesystem does not say */
const DEFAULT_ALLOCATION_UNIT = 4096n

export interface BlockstoreStat {
  /** Bytes the blocks take on disk */
  size: bigint
  /** Number of blocks held */
  count: number
  /** Datastore.StorageMax in bytes */
  max: bigint
}

export class QuotaBlockstore implements Blockstore {
  private readonly store: FsBlockstore
  private readonly sharding: NextToLast
  private readonly dir: string
  private readonly max: bigint
  private size = 0n
  private count = 0
  /** The filesystem's allocation unit, read at open */
  private unit = DEFAULT_ALLOCATION_UNIT
  /** Puts in flight by multihash, so two puts of one block count it once */
  private readonly pending = new Map<string, Promise<CID>>()
  private readonly putListeners = new Set<(cid: CID, bytes: Uint8Array) => void>()
  private reclaim?: (bytes: bigint, options?: AbortOptions) => Promise<unknown>
  /** One reclaim at a time: concurrent puts wait for it, then look again */
  private reclaiming?: Promise<unknown>

  constructor (dir: string, max: bigint) {
    this.dir = dir
    this.max = max
    this.sharding = new NextToLast()
    this.store = new FsBlockstore(dir, { shardingStrategy: this.sharding })
  }

  async open (): Promise<void> {
    await this.store.open()
    this.unit = await allocationUnit(this.dir)
    const { size, count } = await sumFiles(this.dir, this.sharding.extension, bytes => this.cost(bytes))
    this.size = size
    this.count = count
  }

  async close (): Promise<void> {
    await this.store.close()
  }

  stat (): BlockstoreStat {
    return { size: this.size, count: this.count, max: this.max }
  }

  /** Call `listener` with each block stored from now on; returns what stops it */
  onPut (listener: (cid: CID, bytes: Uint8Array) => void): () => void {
    this.putListeners.add(listener)
    return () => { this.putListeners.delete(listener) }
  }

  /**
   * Call `reclaim` when a put would pass the quota, to free what it can
   * (fill's DAGs) before the put is refused; returns what stops it
   */
  onFull (reclaim: (bytes: bigint, options?: AbortOptions) => Promise<unknown>): () => void {
    this.reclaim = reclaim
    return () => {
      if (this.reclaim === reclaim) {
        this.reclaim = undefined
      }
    }
  }

  async has (cid: CID, options?: AbortOptions): Promise<boolean> {
    return this.store.has(cid, options)
  }

  async put (cid: CID, value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<CID> {
    const key = cid.multihash.bytes.toString()
    const inFlight = this.pending.get(key)

    if (inFlight != null) {
      await inFlight
      return cid
    }

    const put = this.putNew(cid, value, options)
    this.pending.set(key, put)

    try {
      return await put
    } finally {
      this.pending.delete(key)
    }
  }

  private async putNew (cid: CID, value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<CID> {
    if (await this.store.has(cid, options)) {
      return cid
    }

    const bytes = value instanceof Uint8Array ? value : await concat(value)
    const size = this.cost(BigInt(bytes.byteLength))

    // reserve before the write so concurrent puts cannot overshoot together
    if (this.size + size > this.max) {
      await this.makeRoom(size, options)
    }

    if (this.size + size > this.max) {
      throw new StorageQuotaExceededError(this.size, this.max)
    }

    this.size += size
    this.count++

    try {
      await this.store.put(cid, bytes, options)
    } catch (err) {
      this.size -= size
      this.count--
      throw err
    }

    this.putListeners.forEach(listener => { listener(cid, bytes) })
    return cid
  }

  private async makeRoom (size: bigint, options?: AbortOptions): Promise<void> {
    const reclaim = this.reclaim

    if (reclaim == null) {
      return
    }

    while (this.reclaiming != null) {
      await this.reclaiming
    }

    if (this.size + size <= this.max) {
      return
    }

    this.reclaiming = reclaim(this.size + size - this.max, options)
      .catch(() => {})
      .finally(() => { this.reclaiming = undefined })
    await this.reclaiming
  }

  async * putMany (source: Iterable<InputPair> | AsyncIterable<InputPair>, options?: AbortOptions): AsyncGenerator<CID> {
    for await (const { cid, bytes } of source) {
      yield this.put(cid, bytes, options)
    }
  }

  async * get (cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    yield * this.store.get(cid, options)
  }

  async * getMany (source: Iterable<CID> | AsyncIterable<CID>, options?: AbortOptions): AsyncGenerator<Pair> {
    yield * this.store.getMany(source, options)
  }

  async * getAll (options?: AbortOptions): AsyncGenerator<Pair> {
    yield * this.store.getAll(options)
  }

  async delete (cid: CID, options?: AbortOptions): Promise<void> {
    const size = await this.sizeOf(cid)
    await this.store.delete(cid, options)

    if (size != null) {
      this.size -= size
      this.count--
    }
  }

  async * deleteMany (source: Iterable<CID> | AsyncIterable<CID>, options?: AbortOptions): AsyncGenerator<CID> {
    for await (const cid of source) {
      await this.delete(cid, options)
      yield cid
    }
  }

  private async sizeOf (cid: CID): Promise<bigint | undefined> {
    const { dir, file } = this.sharding.encode(cid)

    try {
      return this.cost(BigInt((await fs.stat(path.join(this.dir, dir, file))).size))
    } catch {
      return undefined
    }
  }

  /** What a block of `bytes` takes on disk */
  private cost (bytes: bigint): bigint {
    const units = bytes === 0n ? 1n : (bytes + this.unit - 1n) / this.unit
    return units * this.unit
  }
}

async function concat (chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []

  for await (const chunk of chunks) {
    parts.push(chunk)
  }

  return Buffer.concat(parts)
}

async function sumFiles (dir: string, extension: string, cost: (bytes: bigint) => bigint): Promise<{ size: bigint, count: number }> {
  let size = 0n
  let count = 0

  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(extension)) {
      size += cost(BigInt((await fs.stat(path.join(entry.parentPath, entry.name))).size))
      count++
    }
  }

  return { size, count }
}

/** The filesystem's block size: files take whole blocks */
async function allocationUnit (dir: string): Promise<bigint> {
  try {
    const { bsize } = await fs.statfs(dir)
    return BigInt(bsize > 0 ? bsize : DEFAULT_ALLOCATION_UNIT)
  } catch {
    return DEFAULT_ALLOCATION_UNIT
  }
}
