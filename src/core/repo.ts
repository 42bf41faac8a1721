/**
 * `repo stat` and `repo gc`
 */
import { pushable } from 'it-pushable'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { REPO_VERSION } from '../version.js'
import type { TorPlusNode } from '../node.js'
import type { AbortOptions } from '@libp2p/interface'

export interface RepoStat {
  numObjects: number
  repoSize: bigint
  storageMax: bigint
  repoPath: string
  version: string
}

export function repoStat (node: TorPlusNode): RepoStat {
  const { size, count, max } = node.repo.blockstore.stat()

  return { numObjects: count, repoSize: size, storageMax: max, repoPath: node.repo.path, version: `fs-repo@${REPO_VERSION}` }
}

export type GcResult = { cid: CID } | { error: Error }

/**
 * Delete every block no pin reaches, reporting each as it goes
 */
export async function * repoGc (node: TorPlusNode, options: AbortOptions = {}): AsyncGenerator<GcResult> {
  const results = pushable<GcResult>({ objectMode: true })

  node.helia.gc({
    signal: options.signal,
    onProgress: (evt) => {
      // blocks are kept by multihash; name them as Kubo does, CIDv1 raw
      results.push(evt.type === 'helia:gc:deleted' ? { cid: CID.createV1(raw.code, evt.detail.multihash) } : { error: evt.detail })
    }
  }).then(() => results.end(), (err: Error) => results.end(err))

  yield * results
}
