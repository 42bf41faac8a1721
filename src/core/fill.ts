/**
 * `fill`: the node's side of a fill round. The round itself (collect, merge,
 * value, plan, fetch, evict) is frequency's FillRunner; this gives it the
 * node: peers and their lists, providers from the DHT, a Helia session per
 * root with the providers that did not report it, a parallel walk of the
 * DAG, pins under fill's label, and what payments say was spent. One runner
 * per node, so the daemon's schedule and a command never run two rounds.
 */
import * as dagPb from '@ipld/dag-pb'
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { toFillInit } from '../config/index.js'
import { blockKey, FillRecords, FillRunner, FillRunningError, FrequencyDisabledError, FrequencyOfflineError, POPULAR_PROTOCOL, unpinDag } from '../frequency/index.js'
import { parallelWalker, readBlock } from './dag-walk.js'
import type { FillFetcher, FillNetwork, FillOptions, FillRound, FillSpending, FillStorage, FillStoreComponents } from '../frequency/index.js'
import type { TorPlusNode } from '../node.js'
import type { SessionBlockstore } from '@helia/interface'
import type { AbortOptions } from '@libp2p/interface'

const runners = new WeakMap<TorPlusNode, FillRunner>()

/** Run a fill round now */
export async function fill (node: TorPlusNode, options: FillOptions = {}): Promise<FillRound> {
  return fillRunner(node).run(options)
}

/** Throws what stops a round from starting now: no tracker, or a round under way */
export function checkFill (node: TorPlusNode): void {
  if (fillRunner(node).busy) {
    throw new FillRunningError()
  }
}

/** Past rounds, newest first */
export async function fillHistory (node: TorPlusNode, limit: number, options: AbortOptions = {}): Promise<FillRound[]> {
  const rounds = await fillRunner(node).records.rounds(limit, options)
  return rounds.map(round => ({ ...round, planned: [] }))
}

/**
 * Run a round every Fill.Interval while the node runs; returns what stops
 * it. A failed round is logged and the next one runs on time.
 */
export function scheduleFill (node: TorPlusNode): () => void {
  const { interval } = toFillInit(node.repo.config)

  if (interval === 0 || node.services.popular == null) {
    return () => {}
  }

  const log = node.helia.logger.forComponent('torplus:fill')
  const controller = new AbortController()
  const timer = setInterval(() => {
    fill(node, { signal: controller.signal }).catch(err => {
      if (!controller.signal.aborted) {
        log.error('fill round failed - %e', err)
      }
    })
  }, interval)
  timer.unref()

  return () => {
    clearInterval(timer)
    controller.abort()
  }
}

function fillRunner (node: TorPlusNode): FillRunner {
  let runner = runners.get(node)

  if (runner != null) {
    return runner
  }

  const { frequency, popular } = node.services

  if (frequency == null || popular == null) {
    throw node.repo.config.Frequency.Enabled ? new FrequencyOfflineError() : new FrequencyDisabledError()
  }

  const sessions = new Map<string, SessionBlockstore>()
  const log = node.helia.logger.forComponent('torplus:fill')
  const store: FillStoreComponents = { records: new FillRecords(node.repo.datastore), pins: node.helia.pins, blockstore: node.repo.blockstore, used: () => node.repo.blockstore.stat().size, log }
  runner = new FillRunner({
    network: network(node),
    storage: storage(node),
    fetcher: fetcher(node, sessions, store),
    spending: spending(node),
    own: frequency,
    datastore: node.repo.datastore,
    log,
    metrics: node.helia.libp2p.metrics
  }, toFillInit(node.repo.config))
  runners.set(node, runner)
  return runner
}

function network (node: TorPlusNode): FillNetwork {
  const libp2p = node.helia.libp2p
  const moneyWith = (peer: string): bigint => {
    const books = node.services.payments?.peers().find(entry => entry.peer === peer)
    return (books?.fromPeer?.received ?? 0n) + (books?.toPeer?.paid ?? 0n)
  }

  return {
    async reporters () {
      const peers: string[] = []

      for (const peer of libp2p.getPeers()) {
        const known = await libp2p.peerStore.get(peer).catch(() => undefined)

        if (known?.protocols.includes(POPULAR_PROTOCOL) === true) {
          peers.push(peer.toString())
        }
      }

      // peers we exchanged money with first: their word weighs most
      return peers.sort((a, b) => Number(moneyWith(b) - moneyWith(a)))
    },
    async ask (peer, options) {
      return node.services.popular?.ask(peerIdFromString(peer), options) ?? Promise.reject(new FrequencyOfflineError())
    },
    moneyWith,
    async providers (cid, options) {
      const found: string[] = []
      const self = libp2p.peerId.toString()

      try {
        // libp2p's routing: Helia's waits Routing.ProviderSearchDelay first, for bitswap's sake
        for await (const provider of libp2p.contentRouting.findProviders(cid, options)) {
          const id = provider.id.toString()

          if (id !== self && !options.exclude.has(id) && !found.includes(id)) {
            found.push(id)
          }

          if (found.length >= options.limit) {
            break
          }
        }
      } catch (err) {
        // a search that runs out of time ends with what it found
        if (found.length === 0 && options.signal?.aborted !== true) {
          throw err
        }
      }

      return found
    }
  }
}

function storage (node: TorPlusNode): FillStorage {
  return {
    stat () {
      const { size, max } = node.repo.blockstore.stat()
      return { used: size, max }
    },
    async pinned (cid, options) {
      return node.helia.pins.isPinned(cid, options)
    }
  }
}

function fetcher (node: TorPlusNode, sessions: Map<string, SessionBlockstore>, store: FillStoreComponents): FillFetcher {
  const { helia } = node
  // by block: a root listed as raw and read as dag-pb keeps its session
  const session = (cid: CID, providers: string[]): SessionBlockstore => {
    const key = blockKey(cid)
    let found = sessions.get(key)

    if (found == null) {
      // only these providers: the peers that reported the item are not among them
      found = helia.blockstore.createSession(cid, { providers: providers.map(peer => peerIdFromString(peer).toCID()), minProviders: 1, maxProviders: providers.length })
      sessions.set(key, found)
    }

    return found
  }
  const close = (cid: CID): void => {
    sessions.get(blockKey(cid))?.close()
    sessions.delete(blockKey(cid))
  }

  return {
    async root (cid, options) {
      if (cid.code !== raw.code && cid.code !== dagPb.code) {
        return undefined
      }

      try {
        return declaredRoot(cid, await readBlock({ blockstore: session(cid, options.providers) }, cid, options))
      } catch (err) {
        close(cid)
        throw err
      }
    },
    async fetch (cid, options) {
      const blocks = session(cid, options.providers)
      const walker = parallelWalker({ concurrency: node.repo.config.Bitswap.BlocksInFlight })({ blockstore: blocks, getCodec: helia.getCodec })
      let bytes = 0n

      try {
        for await (const { block } of walker.walk(cid, { signal: options.signal })) {
          const size = (block.bytes as Uint8Array).byteLength
          bytes += BigInt(size)
          options.onBlock?.(size)

          if (bytes > options.maxBytes) {
            throw new Error(`the DAG is over ${options.maxBytes} bytes, more than its root declares`)
          }
        }
      } finally {
        close(cid)
      }

      return bytes
    },
    async pin (cid, metadata, options) {
      const walker = parallelWalker({ concurrency: node.repo.config.Bitswap.BlocksInFlight })

      for await (const block of helia.pins.add(cid, { ...options, walker, metadata, offline: true } as any)) {
        void block
      }
    },
    async unpin (cid, options) {
      return unpinDag(store, cid, options)
    },
    provide (cid) {
      node.services.provideQueue?.provide(cid)
    }
  }
}

function spending (node: TorPlusNode): FillSpending {
  return {
    spent () {
      return (node.services.payments?.peers() ?? []).reduce((sum, peer) => sum + (peer.toPeer?.paid ?? 0n), 0n)
    }
  }
}

/**
 * A root block's CID and the size of its DAG as its links declare (checked
 * as the DAG arrives). A root seen only as a DHT key is listed as raw: one
 * that is a dag-pb node with links is read as one
 */
export function declaredRoot (cid: CID, bytes: Uint8Array): { size: bigint, cid: CID } {
  const links = cid.code === dagPb.code ? dagPb.decode(bytes).Links : dagPbLinks(bytes)

  if (links == null) {
    return { size: BigInt(bytes.byteLength), cid }
  }

  return { size: links.reduce((sum, link) => sum + BigInt(link.Tsize ?? 0), BigInt(bytes.byteLength)), cid: CID.createV1(dagPb.code, cid.multihash) }
}

/** The links of a block that decodes as a dag-pb node with any; undefined for anything else */
function dagPbLinks (bytes: Uint8Array): dagPb.PBLink[] | undefined {
  try {
    const links = dagPb.decode(bytes).Links
    return links.length > 0 ? links : undefined
  } catch {
    return undefined
  }
}
