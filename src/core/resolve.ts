/**
 * Read options shared by cat, get, files/stat and pins, and the resolution of
 * a path to its DAG node. A node opened without a daemon never waits on the
 * network for a block it does not have: it fails at once, saying so.
 */
import { toRequestSettings } from '../config/index.js'
import { ContentNotFoundError, PathNotFoundError, UnsupportedBlockError } from './errors.js'
import { formatIpfsPath } from './ipfs-path.js'
import type { IpfsPath } from './ipfs-path.js'
import type { TorPlusNode } from '../node.js'
import type { DirectoryStats, FileStats, RawStats } from '@helia/unixfs'
import type { AbortOptions } from '@libp2p/interface'

export interface StorageOptions extends AbortOptions {
  /** Only read local blocks */
  offline?: boolean
  /** Blocks of one DAG layer fetched at once */
  blockReadConcurrency?: number
}

export function withStorageOptions (node: TorPlusNode, options: StorageOptions): StorageOptions {
  return {
    ...options,
    offline: options.offline === true || node.offline,
    // Helia asks for a whole layer at once (174 blocks, 43 MiB of a large
    // file), which a provider sends as one message: too much for one
    // MessageTimeout on a slow circuit
    blockReadConcurrency: options.blockReadConcurrency ?? toRequestSettings(node.repo.config).blocksInFlight
  }
}

/**
 * Run a read, turning Helia's offline miss into an error that says what to do
 */
export async function reading <T> (target: IpfsPath, read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (err: any) {
    if (err.name === 'BlockNotFoundWhileOfflineError') {
      throw new ContentNotFoundError(formatIpfsPath(target))
    }

    // blocks that name what this node cannot read are the request's problem
    if (err.name === 'NoResolverError' || err.name === 'IdentityHashDigestTooLongError' || err.name === 'UnknownHashAlgorithmError') {
      throw new UnsupportedBlockError(formatIpfsPath(target), err.message)
    }

    // a path the DAG does not have
    if (err.name === 'NotFoundError' || err.name === 'BadPathError' || err.name === 'NotUnixFSError' || err.name === 'DoesNotExistError') {
      throw new PathNotFoundError(formatIpfsPath(target), err.message)
    }

    throw err
  }
}

/**
 * Stat the DAG node a path names; fetching its first block proves it exists
 * before any response starts
 */
export async function resolve (node: TorPlusNode, target: IpfsPath, options: StorageOptions): Promise<FileStats | DirectoryStats | RawStats> {
  return reading(target, async () => node.fs.stat(target.cid, { ...options, path: target.path === '' ? undefined : target.path }))
}
