/**
 * `get`: a file or a directory tree as a tar stream, as Kubo's `get` sends it
 */
import { pack } from 'it-tar'
import { resolve, withStorageOptions } from './resolve.js'
import type { IpfsPath } from './ipfs-path.js'
import type { StorageOptions } from './resolve.js'
import type { TorPlusNode } from '../node.js'
import type { TarImportCandidate } from 'it-tar'
import type { CID } from 'multiformats/cid'

const FILE_MODE = 0o644
const DIR_MODE = 0o755

/**
 * Resolve the path first, so a missing CID fails before any byte is sent,
 * then stream the tar
 */
export async function get (node: TorPlusNode, target: IpfsPath, options: StorageOptions = {}): Promise<AsyncIterable<Uint8Array>> {
  const opts = withStorageOptions(node, options)
  const stat = await resolve(node, target, opts)
  const name = target.path === '' ? target.cid.toString() : target.path.split('/').pop() ?? target.cid.toString()

  return pack()(entries(node, stat.cid, name, opts))
}

async function * entries (node: TorPlusNode, cid: CID, name: string, options: StorageOptions): AsyncGenerator<TarImportCandidate> {
  const stat = await node.fs.stat(cid, options)

  if (stat.type !== 'directory') {
    yield {
      header: { name, size: Number(stat.size), mode: FILE_MODE, mtime: new Date(0), type: 'file' },
      body: node.fs.cat(cid, options)
    }
    return
  }

  yield { header: { name, mode: DIR_MODE, mtime: new Date(0), type: 'directory' } }

  for await (const entry of node.fs.ls(cid, options)) {
    yield * entries(node, entry.cid, `${name}/${entry.name}`, options)
  }
}
