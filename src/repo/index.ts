/**
 * The repo directory: config, lock, blocks/ (blockstore-fs), datastore/
 * (datastore-level) and keystore/ (the identity, 0600)
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { LevelDatastore } from 'datastore-level'
import { defaultConfig, readConfig, toStorageMax, writeConfig } from '../config/index.js'
import { RepoExistsError, RepoNotInitializedError } from './errors.js'
import { createIdentity, KEYSTORE_DIR, loadIdentity, loadOrCreateOnionKey, loadOrCreateStellarSeed } from './keys.js'
import { lockRepo } from './lock.js'
import { QuotaBlockstore } from './quota-blockstore.js'
import type { Config, ConfigInput } from '../config/index.js'
import type { OnionKey } from '../transport/index.js'
import type { PrivateKey } from '@libp2p/interface'

export * from './errors.js'
export { readLockOwner } from './lock.js'
export type { LockOwner } from './lock.js'
export type { BlockstoreStat } from './quota-blockstore.js'
export { QuotaBlockstore } from './quota-blockstore.js'
export { loadOrCreateGatewayToken, loadOrCreateStellarSeed } from './keys.js'
export { repoMetrics } from './metrics.js'
export type { RepoMetricsComponents, RepoMetricsInit } from './metrics.js'

export const CONFIG_FILE = 'config'
export const API_FILE = 'api'

export interface Repo {
  readonly path: string
  readonly config: Config
  readonly privateKey: PrivateKey
  /** The onion service key (keystore/onion.key) */
  readonly onionKey: OnionKey
  /** The Stellar account's ed25519 seed (keystore/stellar.key) */
  readonly stellarSeed: Uint8Array
  readonly blockstore: QuotaBlockstore
  readonly datastore: LevelDatastore

  /** Validate and persist a new config; it applies at the next start */
  saveConfig(config: Config): Promise<void>

  /** Advertise a running daemon's RPC API, as Kubo's `$IPFS_PATH/api` does */
  writeApiFile(multiaddr: string): Promise<void>

  close(): Promise<void>
}

export interface InitRepoOptions {
  /** Config values that differ from the defaults */
  config?: Partial<Record<keyof ConfigInput, unknown>>
}

/**
 * Whether `repoPath` holds an initialized repo
 */
export async function isInitialized (repoPath: string): Promise<boolean> {
  try {
    await fs.access(path.join(repoPath, CONFIG_FILE))
    return true
  } catch {
    return false
  }
}

/**
 * Create a repo. The config is written last: a repo without one was never
 * finished, and `init` may run again on it.
 */
export async function initRepo (repoPath: string, options: InitRepoOptions = {}): Promise<Config> {
  if (await isInitialized(repoPath)) {
    throw new RepoExistsError(repoPath)
  }

  await fs.mkdir(repoPath, { recursive: true, mode: 0o700 })

  const lock = await lockRepo(repoPath, 'init')

  try {
    let key: PrivateKey

    try {
      key = await loadIdentity(repoPath)
    } catch (err: any) {
      if (err.code !== 'ENOENT') {
        throw err
      }

      key = await createIdentity(repoPath)
    }

    const onionKey = await loadOrCreateOnionKey(repoPath)
    await loadOrCreateStellarSeed(repoPath)
    const config = defaultConfig(peerIdFromPrivateKey(key).toString(), onionKey.serviceId, options.config)
    await fs.mkdir(path.join(repoPath, 'blocks'), { recursive: true })
    await fs.mkdir(path.join(repoPath, 'datastore'), { recursive: true })
    await writeConfig(path.join(repoPath, CONFIG_FILE), config)

    return config
  } finally {
    await lock.release()
  }
}

export interface OpenRepoOptions {
  /** What holds the lock, for the error another process sees, e.g. "daemon" */
  command: string
}

/**
 * Lock and open a repo
 */
export async function openRepo (repoPath: string, options: OpenRepoOptions): Promise<Repo> {
  if (!(await isInitialized(repoPath))) {
    throw new RepoNotInitializedError(repoPath)
  }

  const lock = await lockRepo(repoPath, options.command)
  const closers: Array<() => Promise<void>> = [async () => { await lock.release() }]

  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) {
      await closer()
    }

    closers.length = 0
  }

  try {
    const configFile = path.join(repoPath, CONFIG_FILE)
    let config = await readConfig(configFile)
    const privateKey = await loadIdentity(repoPath)
    const onionKey = await loadOrCreateOnionKey(repoPath)
    const stellarSeed = await loadOrCreateStellarSeed(repoPath)

    const blockstore = new QuotaBlockstore(path.join(repoPath, 'blocks'), toStorageMax(config))
    await blockstore.open()
    closers.push(async () => { await blockstore.close() })

    const datastore = new LevelDatastore(path.join(repoPath, 'datastore'))
    await datastore.open()
    closers.push(async () => { await datastore.close() })

    const apiFile = path.join(repoPath, API_FILE)

    return {
      path: repoPath,
      get config () { return config },
      privateKey,
      onionKey,
      stellarSeed,
      blockstore,
      datastore,
      async saveConfig (next) {
        await writeConfig(configFile, next)
        config = next
      },
      async writeApiFile (multiaddr) {
        await fs.writeFile(apiFile, multiaddr, { mode: 0o600 })
        closers.splice(1, 0, async () => { await fs.rm(apiFile, { force: true }) })
      },
      close
    }
  } catch (err) {
    await close()
    throw err
  }
}

export { KEYSTORE_DIR }
