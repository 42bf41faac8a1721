/**
 * A DAG walker for Helia (`GraphWalkerFactory`) that fetches several blocks
 * at once and fails cleanly. Helia's own walkers fetch one block at a time,
 * and hand a failed block to their generator with `gen.throw()`, whose
 * promise nobody awaits: one block with an unknown codec, a body that does
 * not decode or an oversized identity digest ended the process. Here a bad
 * block ends the walk with an error that names it, and the fetches still
 * running are aborted.
 */
import { anySignal } from 'any-signal'
import { pushable } from 'it-pushable'
import { createUnsafe } from 'multiformats/block'
import { identity } from 'multiformats/hashes/identity'
import { MalformedBlockError, UnsupportedBlockError } from './errors.js'
import type { GraphNode, GraphWalker, GraphWalkerComponents, GraphWalkerFactory, WalkOptions } from '@helia/interface'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { BlockCodec, ByteView } from 'multiformats/codecs/interface'

/** Helia's default limit on identity digests; a longer one cannot be read */
export const MAX_IDENTITY_DIGEST = 128

/** Blocks fetched at once */
export const DEFAULT_WALK_CONCURRENCY = 16

export interface ParallelWalkerInit {
  /**
   * Blocks fetched at once
   *
   * @default DEFAULT_WALK_CONCURRENCY
   */
  concurrency?: number
}

export interface ParallelWalkOptions<T> extends WalkOptions<T> {
  /** Only read local blocks (Helia's blockstore option) */
  offline?: boolean
}

/** Walks in no particular order: each block as soon as it arrives */
export function parallelWalker (init: ParallelWalkerInit = {}): GraphWalkerFactory {
  return (components) => new ParallelGraphWalker(components, init)
}

class ParallelGraphWalker implements GraphWalker {
  private readonly components: GraphWalkerComponents
  private readonly concurrency: number

  constructor (components: GraphWalkerComponents, init: ParallelWalkerInit) {
    this.components = components
    this.concurrency = init.concurrency ?? DEFAULT_WALK_CONCURRENCY
  }

  async * walk <T = any> (root: CID, options: ParallelWalkOptions<T> = {}): AsyncGenerator<GraphNode<T>> {
    options.signal?.throwIfAborted()
    const maxDepth = options.depth ?? Infinity
    const seen = new Set<string>([root.toString()])
    const queue: Array<{ cid: CID, depth: number, path: CID[] }> = [{ cid: root, depth: 0, path: [root] }]
    const nodes = pushable<GraphNode<T>>({ objectMode: true })
    // a failure, or a consumer that stopped reading, ends the fetches still running
    const stop = new AbortController()
    const signal = anySignal([options.signal, stop.signal])
    let running = 0

    const visit = async ({ cid, depth, path }: typeof queue[number]): Promise<void> => {
      // a block we could not decode is not worth fetching
      const codec = await codecOf(this.components, cid)
      const bytes = await readBlock(this.components, cid, { ...options, signal })
      const block = decode<T>(cid, bytes, codec)
      nodes.push({ block, depth, path })

      if (depth >= maxDepth) {
        return
      }

      for (const [, link] of block.links()) {
        const key = link.toString()

        if (!seen.has(key) && options.includeChild?.(link, block) !== false) {
          seen.add(key)
          queue.push({ cid: link, depth: depth + 1, path: [...path, link] })
        }
      }
    }

    const done = (): void => {
      running--

      if (running === 0 && queue.length === 0) {
        nodes.end()
      } else {
        pump()
      }
    }
    const failed = (err: Error): void => {
      running--

      if (!stop.signal.aborted) {
        stop.abort(err)
        nodes.end(err)
      }
    }
    const pump = (): void => {
      while (!stop.signal.aborted && running < this.concurrency) {
        const next = queue.pop()

        if (next == null) {
          return
        }

        running++
        visit(next).then(done, failed)
      }
    }

    pump()

    try {
      yield * nodes
    } finally {
      stop.abort()
      signal.clear()
    }
  }
}

async function codecOf (components: GraphWalkerComponents, cid: CID): Promise<BlockCodec<any, any>> {
  try {
    return await components.getCodec(cid.code)
  } catch {
    throw new UnsupportedBlockError(cid.toString(), `codec 0x${cid.code.toString(16)} is not supported`)
  }
}

/** A block's bytes, refusing an identity CID too long to read */
export async function readBlock (components: Pick<GraphWalkerComponents, 'blockstore'>, cid: CID, options: AbortOptions & { offline?: boolean }): Promise<Uint8Array> {
  if (cid.multihash.code === identity.code && cid.multihash.digest.byteLength > MAX_IDENTITY_DIGEST) {
    throw new UnsupportedBlockError(cid.toString(), `its identity digest is ${cid.multihash.digest.byteLength} bytes, more than ${MAX_IDENTITY_DIGEST}`)
  }

  const chunks: Uint8Array[] = []

  for await (const chunk of components.blockstore.get(cid, options)) {
    chunks.push(chunk)
  }

  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
}

function decode <T> (cid: CID, bytes: Uint8Array, codec: BlockCodec<any, any>): GraphNode<T>['block'] {
  try {
    const block = createUnsafe({ cid, bytes: bytes as ByteView<unknown>, codec })
    // links are read from the decoded value: a malformed one throws here, not later
    ;[...block.links()].forEach(() => {})
    return block as unknown as GraphNode<T>['block']
  } catch (err: any) {
    throw new MalformedBlockError(cid.toString(), err.message)
  }
}

/**
 * Walk a DAG through Helia's blockstore without keeping its blocks: to
 * fetch and check a whole DAG before something else reads it
 */
export async function walkDag (helia: GraphWalkerComponents, root: CID, options: ParallelWalkOptions<unknown> & ParallelWalkerInit = {}): Promise<{ blocks: number, bytes: number }> {
  const result = { blocks: 0, bytes: 0 }

  for await (const node of parallelWalker(options)(helia).walk(root, options)) {
    result.blocks++
    result.bytes += (node.block.bytes as Uint8Array).byteLength
  }

  return result
}
