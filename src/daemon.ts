/**
 * A daemon: the node, its RPC API and gateway on one locked repo, with an
 * `api` file in the repo so that CLI commands find it
 */
import { startApiServers } from './api/index.js'
import { scheduleFill } from './core/fill.js'
import { createTorPlusNode } from './node.js'
import { openRepo } from './repo/index.js'
import type { ApiServers } from './api/index.js'
import type { TorPlusNode, TorPlusNodeProgressEvents } from './node.js'
import type { AbortOptions, ComponentLogger } from '@libp2p/interface'
import type { ProgressOptions } from 'progress-events'

export interface DaemonInit extends AbortOptions, ProgressOptions<TorPlusNodeProgressEvents> {
  repoPath: string
  logger?: ComponentLogger
}

export interface Daemon {
  node: TorPlusNode
  servers: ApiServers
  /** Resolves once the daemon has stopped, whoever stopped it */
  stopped: Promise<void>
  stop(): Promise<void>
}

export async function startDaemon (init: DaemonInit): Promise<Daemon> {
  const repo = await openRepo(init.repoPath, { command: 'daemon' })
  let node: TorPlusNode | undefined
  let servers: ApiServers | undefined
  let stopFill = (): void => {}
  let stopping: Promise<void> | undefined
  let onStopped: () => void = () => {}
  const stopped = new Promise<void>(resolve => { onStopped = resolve })

  const stop = async (): Promise<void> => {
    stopping ??= (async () => {
      try {
        stopFill()
        await servers?.close()
        await node?.stop()
      } finally {
        await repo.close()
        onStopped()
      }
    })()

    return stopping
  }

  try {
    node = createTorPlusNode({ repo, logger: init.logger })
    await node.start({ signal: init.signal, onProgress: init.onProgress })
    servers = await startApiServers({ node, shutdown: () => { void stop() } })
    await repo.writeApiFile(servers.api.multiaddr)
    stopFill = scheduleFill(node)
  } catch (err) {
    await stop()
    throw err
  }

  return { node, servers, stopped, stop }
}
