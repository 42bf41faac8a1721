/**
 * Import files and directories and pin what was added, only once all of it
 * is in the repo: a failed add pins nothing
 */
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { chunkSize, MAX_CHUNK_SIZE } from '../config/index.js'
import { InvalidArgumentError } from './errors.js'
import { pinAdd } from './pin.js'
import type { TorPlusNode } from '../node.js'
import type { AddEvents } from '@helia/unixfs'
import type { AbortOptions } from '@libp2p/interface'
import type { ImportCandidateStream, ImportResult } from 'ipfs-unixfs-importer'
import type { ProgressOptions } from 'progress-events'

export interface AddOptions extends AbortOptions, ProgressOptions<AddEvents> {
  /** @default true */
  pin?: boolean
  /** @default 1 */
  cidVersion?: 0 | 1
  /** Raw leaf blocks; defaults to the CID version's convention */
  rawLeaves?: boolean
  /** Kubo's chunker syntax, `size-<bytes>` */
  chunker?: string
  /** @default false */
  wrapWithDirectory?: boolean
}

function parseChunker (chunker: string): ReturnType<typeof fixedSize> {
  const size = chunkSize(chunker)

  if (size == null) {
    throw new InvalidArgumentError(`unsupported chunker "${chunker}": use size-<bytes> with at most ${MAX_CHUNK_SIZE} bytes`)
  }

  return fixedSize({ chunkSize: size })
}

/**
 * Add entries, yielding each imported entry; the top-level entries are pinned
 * after the whole import has succeeded, and announced in the DHT
 */
export async function * add (node: TorPlusNode, source: ImportCandidateStream, options: AddOptions = {}): AsyncGenerator<ImportResult> {
  options.signal?.throwIfAborted()

  const cidVersion = options.cidVersion ?? 1
  const results: ImportResult[] = []

  for await (const entry of node.fs.addAll(source, {
    profile: cidVersion === 0 ? 'unixfs-v0-2015' : 'unixfs-v1-2025',
    cidVersion,
    rawLeaves: options.rawLeaves ?? cidVersion === 1,
    chunker: options.chunker == null ? undefined : parseChunker(options.chunker),
    wrapWithDirectory: options.wrapWithDirectory ?? false,
    // a multipart upload yields its next file only after this one is read
    fileImportConcurrency: 1,
    signal: options.signal,
    onProgress: options.onProgress
  })) {
    results.push(entry)
  }

  for (const root of roots(results, options.wrapWithDirectory === true)) {
    if (options.pin === false) {
      node.services.provideQueue?.provide(root.cid)
    } else {
      // pinning provides it
      await pinAdd(node, root.cid, { signal: options.signal })
    }
  }

  for (const entry of results) {
    yield entry
  }
}

function roots (results: ImportResult[], wrapped: boolean): ImportResult[] {
  if (wrapped) {
    return results.filter(entry => entry.path === '').slice(-1)
  }

  return results.filter(entry => !(entry.path ?? '').includes('/'))
}
