/**
 * `cat`: the bytes of a file. The first block is read before returning, so a
 * missing CID fails before any byte is sent.
 */
import { resolve, withStorageOptions } from './resolve.js'
import type { IpfsPath } from './ipfs-path.js'
import type { StorageOptions } from './resolve.js'
import type { TorPlusNode } from '../node.js'

export interface CatOptions extends StorageOptions {
  offset?: number
  length?: number
}

export async function cat (node: TorPlusNode, target: IpfsPath, options: CatOptions = {}): Promise<AsyncIterable<Uint8Array>> {
  const opts = withStorageOptions(node, options)
  const stat = await resolve(node, target, opts)

  return node.fs.cat(stat.cid, { ...opts, offset: options.offset, length: options.length })
}
