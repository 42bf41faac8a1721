/**
 * A blockstore-fs that knows how many bytes it holds and refuses a put that
 * would take it past Datastore.StorageMax. Sizes come from the files
 * themselves, so the count is right after a crash too.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { FsBlockstore } from 'blockstore-fs'
import { NextToLast } from 'blockstore-fs/sharding'
import { StorageQuotaExceededError } from './errors.js'
import type { AbortOptions } from '@libp2p/interface'
import type { Blockstore, InputPair, Pair } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'

export interface BlockstoreStat {
  /** Bytes of block data held */
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
  /** Puts in flight by multihash, so two puts of one block count it once */
  private readonly pending = new Map<string, Promise<CID>>()

  constructor (dir: string, max: bigint) {
    this.dir = dir
    this.max = max
    this.sharding = new NextToLast()
    this.store = new FsBlockstore(dir, { shardingStrategy: this.sharding })
  }

  async open (): Promise<void> {
    await this.store.open()
    const { size, count } = await sumFiles(this.dir, this.sharding.extension)
    this.size = size
    this.count = count
  }

  async close (): Promise<void> {
    await this.store.close()
  }

  stat (): BlockstoreStat {
    return { size: this.size, count: this.count, max: this.max }
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
    const size = BigInt(bytes.byteLength)

    // reserve before the write so concurrent puts cannot overshoot together
    if (this.size + size > this.max) {
      throw new StorageQuotaExceededError(this.size, this.max)
    }

    this.size += size
    this.count++

    try {
      return await this.store.put(cid, bytes, options)
    } catch (err) {
      this.size -= size
      this.count--
      throw err
    }
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
      return BigInt((await fs.stat(path.join(this.dir, dir, file))).size)
    } catch {
      return undefined
    }
  }
}

async function concat (chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []

  for await (const chunk of chunks) {
    parts.push(chunk)
  }

  return Buffer.concat(parts)
}

async function sumFiles (dir: string, extension: string): Promise<{ size: bigint, count: number }> {
  let size = 0n
  let count = 0

  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(extension)) {
      size += BigInt((await fs.stat(path.join(entry.parentPath, entry.name))).size)
      count++
    }
  }

  return { size, count }
}
