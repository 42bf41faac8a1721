/**
 * `cat`: the bytes of a file. The path is resolved and the range checked
 * before returning, so a missing CID, a directory or an offset past the end
 * fails before any byte is sent.
 */
import { InvalidArgumentError } from './errors.js'
import { formatIpfsPath } from './ipfs-path.js'
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
  node.services.frequency?.observeLocal(target.cid)

  if (stat.type === 'directory') {
    throw new InvalidArgumentError(`${formatIpfsPath(target)} is a directory: \`get\` saves directories`)
  }

  if (options.offset != null && BigInt(options.offset) > stat.size) {
    throw new InvalidArgumentError(`offset ${options.offset} is past the end of ${formatIpfsPath(target)} (${stat.size} bytes)`)
  }

  return node.fs.cat(stat.cid, { ...opts, offset: options.offset, length: options.length })
}
