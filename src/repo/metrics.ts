/**
 * The repo's size as metrics: blocks, bytes and the quota, read from the
 * blockstore's running totals at each scrape
 */
import { serviceCapabilities } from '@libp2p/interface'
import type { QuotaBlockstore } from './quota-blockstore.js'
import type { Metrics } from '@libp2p/interface'

export interface RepoMetricsComponents {
  metrics?: Metrics
}

export interface RepoMetricsInit {
  blockstore: Pick<QuotaBlockstore, 'stat'>
}

class RepoMetrics {
  readonly [Symbol.toStringTag] = 'torplus:repo:metrics'
  readonly [serviceCapabilities] = ['@torplus/repo-metrics']

  constructor (components: RepoMetricsComponents, init: RepoMetricsInit) {
    const { blockstore } = init
    components.metrics?.registerMetric('torplus_repo_blocks', {
      help: 'Blocks held in the blockstore',
      calculate: () => blockstore.stat().count
    })
    components.metrics?.registerMetric('torplus_repo_size_bytes', {
      help: 'Bytes of block data held in the blockstore',
      calculate: () => Number(blockstore.stat().size)
    })
    components.metrics?.registerMetric('torplus_repo_storage_max_bytes', {
      help: 'Datastore.StorageMax in bytes',
      calculate: () => Number(blockstore.stat().max)
    })
  }
}

/**
 * Report the blockstore's size and quota through libp2p's metrics
 */
export function repoMetrics (init: RepoMetricsInit): (components: RepoMetricsComponents) => object {
  return (components) => new RepoMetrics(components, init)
}
