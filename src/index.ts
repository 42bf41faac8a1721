/**
 * @packageDocumentation
 *
 * torplus: an IPFS storage node built from Helia and js-libp2p, driven like
 * Kubo. Library users compose a node on a repo; the `torplus` CLI and the
 * daemon are built from the same pieces.
 *
 * @example Run a daemon on a new repo
 *
 * ```ts
 * import { initRepo, startDaemon } from 'torplus'
 *
 * await initRepo('/tmp/torplus-example')
 * const daemon = await startDaemon({ repoPath: '/tmp/torplus-example' })
 *
 * // kubo-rpc-client drives the node at daemon.servers.api.url
 * const peerId = daemon.node.helia.libp2p.peerId
 *
 * await daemon.stop()
 * ```
 */

export { createTorPlusNode } from './node.js'
export type { TorPlusNode, TorPlusNodeInit, TorPlusServices } from './node.js'
export { startDaemon } from './daemon.js'
export type { Daemon, DaemonInit } from './daemon.js'
export { initRepo, openRepo, isInitialized } from './repo/index.js'
export type { Repo, InitRepoOptions, OpenRepoOptions, BlockstoreStat } from './repo/index.js'
export { ConfigSchema, parseConfig, readConfig, getConfigValue, setConfigValue } from './config/index.js'
export type { Config, ConfigInput } from './config/index.js'
export { startApiServers } from './api/index.js'
export type { ApiServers, ApiServersInit } from './api/index.js'
export * from './repo/errors.js'
export * from './config/errors.js'
export * from './core/errors.js'
export * from './http/errors.js'
export * from './transport/errors.js'
export * from './routing/errors.js'
export * from './payments/errors.js'
export * from './bitswap/errors.js'
export * from './frequency/errors.js'
export * from './devnet/errors.js'
export type * from './api/views/index.js'
