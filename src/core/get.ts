/**
 * `get`: a file or a directory tree as a tar stream, as Kubo's `get` sends it
 */
import { pack } from 'it-tar'
import { UnsafeEntryNameError } from './errors.js'
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
  node.services.frequency?.observeLocal(target.cid)
  const name = target.path === '' ? target.cid.toString() : target.path.split('/').pop() ?? target.cid.toString()
  // a name that climbs out (`..`, `a/b`) fails the request before any byte
  // of the tar is sent, not halfway through it
  await checkNames(node, stat.cid, name, opts)

  return pack()(entries(node, stat.cid, name, opts))
}

/** Every name under a directory must be a plain file name */
async function checkNames (node: TorPlusNode, cid: CID, path: string, options: StorageOptions): Promise<void> {
  if ((await node.fs.stat(cid, options)).type !== 'directory') {
    return
  }

  for await (const entry of node.fs.ls(cid, options)) {
    if (!isPlainName(entry.name)) {
      throw new UnsafeEntryNameError(path, entry.name)
    }

    await checkNames(node, entry.cid, `${path}/${entry.name}`, options)
  }
}

function isPlainName (name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name)
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
