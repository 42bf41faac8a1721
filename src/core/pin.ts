/**
 * Pins: recursive only, as Helia keeps them
 */
import { toRequestSettings } from '../config/index.js'
import { parallelWalker } from './dag-walk.js'
import { NotPinnedError } from './errors.js'
import { reading } from './resolve.js'
import type { TorPlusNode } from '../node.js'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface PinEntry {
  cid: CID
  type: 'recursive'
  name?: string
}

/**
 * Pin a DAG, fetching what is missing, and announce it in the DHT; pinning
 * twice is not an error
 */
export async function pinAdd (node: TorPlusNode, cid: CID, options: AbortOptions & { name?: string } = {}): Promise<CID> {
  if (await node.helia.pins.isPinned(cid, options)) {
    return cid
  }

  await reading({ cid, path: '' }, async () => {
    // Helia's own walker fetches a block at a time, and a bad block ends the process
    const walker = parallelWalker({ concurrency: toRequestSettings(node.repo.config).blocksInFlight })

    for await (const block of node.helia.pins.add(cid, { ...options, walker, metadata: options.name == null ? undefined : { name: options.name }, offline: node.offline } as any)) {
      void block
    }
  })
  node.services.provideQueue?.provide(cid)

  return cid
}

export async function pinRm (node: TorPlusNode, cid: CID, options: AbortOptions = {}): Promise<CID> {
  if (!(await node.helia.pins.isPinned(cid, options))) {
    throw new NotPinnedError(cid.toString())
  }

  for await (const block of node.helia.pins.rm(cid, options)) {
    void block
  }

  return cid
}

export async function * pinLs (node: TorPlusNode, filter: CID[], options: AbortOptions = {}): AsyncGenerator<PinEntry> {
  if (filter.length > 0) {
    for (const cid of filter) {
      if (!(await node.helia.pins.isPinned(cid, options))) {
        throw new NotPinnedError(cid.toString())
      }

      const pin = await node.helia.pins.get(cid, options)
      yield { cid, type: 'recursive', name: pinName(pin.metadata) }
    }

    return
  }

  for await (const pin of node.helia.pins.ls(options)) {
    yield { cid: pin.cid, type: 'recursive', name: pinName(pin.metadata) }
  }
}

function pinName (metadata: Record<string, unknown>): string | undefined {
  return typeof metadata.name === 'string' ? metadata.name : undefined
}
