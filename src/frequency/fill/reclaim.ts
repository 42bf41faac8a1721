/**
 * Room for the user: when a put of the user's own would pass the quota, the
 * least valuable DAGs fill holds are let go first, so an add or a pin never
 * fails because of fill. A DAG is unpinned and only its blocks that no
 * other pin holds are deleted (Helia's gc scans the whole repo).
 */
import { CID } from 'multiformats/cid'
import { density } from './plan.js'
import type { FillRecords } from './records.js'
import type { Pins } from '@helia/interface'
import type { AbortOptions, Logger } from '@libp2p/interface'
import type { Blockstore } from 'interface-blockstore'

export interface FillStoreComponents {
  records: FillRecords
  pins: Pick<Pins, 'isPinned' | 'rm'>
  blockstore: Pick<Blockstore, 'delete'>
  /** Bytes the repo's blocks take now */
  used(): bigint
  log: Logger
}

/** Unpin a DAG and delete its blocks no other pin holds; the bytes freed */
export async function unpinDag (components: FillStoreComponents, cid: CID, options: AbortOptions = {}): Promise<bigint> {
  const before = components.used()

  if (!await components.pins.isPinned(cid, options)) {
    return 0n
  }

  for await (const block of components.pins.rm(cid, { ...options, offline: true } as any)) {
    if (!await components.pins.isPinned(block, options)) {
      await components.blockstore.delete(block, options)
    }
  }

  return before - components.used()
}

/**
 * Let go of fill DAGs, least valuable first, until `bytes` are free or
 * none is left; the bytes freed
 */
export async function reclaimFill (components: FillStoreComponents, bytes: bigint, options: AbortOptions = {}): Promise<bigint> {
  const dags = (await components.records.dags(options)).sort((a, b) => density(a) - density(b))
  const evicted: Array<{ cid: string, size: bigint }> = []
  let freed = 0n

  for (const dag of dags) {
    if (freed >= bytes) {
      break
    }

    const size = await unpinDag(components, CID.parse(dag.cid), options)
    await components.records.deleteDag(dag.cid, options)
    evicted.push({ cid: dag.cid, size })
    freed += size
  }

  if (evicted.length > 0) {
    const now = Date.now()
    components.log('let go of %d fill DAGs (%d bytes) to make room for the user', evicted.length, freed)
    await components.records.putRound({ startedAt: now, endedAt: now, dryRun: false, asked: 0, lists: 0, candidates: 0, fetched: [], failed: [], evicted, bytes: 0n, spent: 0n, stopped: 'room for the user' }, options)
  }

  return freed
}
