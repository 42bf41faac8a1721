/**
 * A TorPlus network on one machine: a private tor network and N daemons in
 * onion-only mode, each with its repo under one folder and its managed tor
 * joining the private network through Tor.ExtraConfig, so the production
 * code path runs. Every process is detached and recorded in devnet.json, so
 * `devnet down` can stop them from another process.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { create } from 'kubo-rpc-client'
import { CustomProgressEvent } from 'progress-events'
import { readConfig, updateConfigFile } from '../config/index.js'
import { initRepo, isInitialized } from '../repo/index.js'
import { isAlive, stopPid } from '../utils/processes.js'
import { DEFAULT_NODE_TIMEOUT } from './constants.js'
import { startDetached, stopWithArgs } from './detached.js'
import { DevnetRunningError } from './errors.js'
import { setUpPayments, startLedger } from './payments.js'
import { EPHEMERAL_HTTP_ADDRESSES } from './ports.js'
import { publishSample, startNames, useNames } from './sample.js'
import { TorNetwork } from './tor-network.js'
import type { DevnetLedger } from './payments.js'
import type { DevnetNames } from './sample.js'
import type { TorNetworkProgressEvents } from './tor-network.js'
import type { AbortOptions, ComponentLogger } from '@libp2p/interface'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

const STATE_FILE = 'devnet.json'

export interface DevnetNode {
  name: string
  repo: string
  pid: number
  peerId: string
  multiaddr: string
  api: string
  gateway: string
  /** The node's proxy for browsers: `host:port` */
  proxy: string
  /** The node's payment gateway, where the browser extension's API is: `http://host:port` */
  paymentGateway: string
}

export interface DevnetState {
  dir: string
  startedAt: string
  /** Every process started: tor, the ledger and daemons */
  pids: number[]
  nodes: DevnetNode[]
  /** The local Stellar ledger the nodes are paid on */
  ledger?: DevnetLedger
  /** With `sample`: the names node1's sample site is reached by, and where they are served */
  sample?: { names: string[], servers: DevnetNames }
}

export interface DevnetUpOptions extends AbortOptions, ProgressOptions<DevnetProgressEvents> {
  dir: string
  nodes: number
  logger: ComponentLogger
  /** Also name node1's onion (DNS TXT, ENS) and publish a sample site on it */
  sample?: boolean
  /**
   * Milliseconds for one daemon to bootstrap its tor and publish its onion
   *
   * @default 180_000
   */
  nodeTimeout?: number

  /**
   * Every process of the network stops when the process with this pid exits:
   * tests and benchmarks pass their own, so a killed run leaves nothing
   * behind; `devnet up` passes none, its network outlives it
   */
  stopWith?: number
}

export type DevnetProgressEvents = TorNetworkProgressEvents | ProgressEvent<'devnet:node', DevnetNode>

export async function readDevnet (dir: string): Promise<DevnetState | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, STATE_FILE), 'utf8'))
  } catch {
    return undefined
  }
}

export async function devnetStatus (dir: string): Promise<Array<DevnetNode & { running: boolean }> | undefined> {
  const state = await readDevnet(dir)
  return state?.nodes.map(node => ({ ...node, running: isAlive(node.pid) }))
}

/**
 * Stop every process a devnet started; returns how many were still running
 */
export async function devnetDown (dir: string): Promise<number> {
  const state = await readDevnet(dir)

  if (state == null) {
    return 0
  }

  const running = state.pids.filter(isAlive)
  // daemons first, so they stop their own tors, then the network
  await Promise.all(state.nodes.map(async node => stopPid(node.pid, 20_000)))
  await Promise.all(state.pids.map(async pid => stopPid(pid, 10_000)))
  await fs.rm(path.join(dir, STATE_FILE), { force: true })

  return running.length
}

export async function devnetUp (options: DevnetUpOptions): Promise<DevnetState> {
  const dir = path.resolve(options.dir)
  const existing = await readDevnet(dir)

  if (existing != null) {
    if (existing.pids.some(isAlive)) {
      throw new DevnetRunningError(dir)
    }

    await fs.rm(path.join(dir, STATE_FILE), { force: true })
  }

  await fs.mkdir(dir, { recursive: true })
  const network = new TorNetwork({ dir: path.join(dir, 'tor-network'), logger: options.logger, detached: true, owner: options.stopWith })
  const state: DevnetState = { dir, startedAt: new Date().toISOString(), pids: [], nodes: [] }

  try {
    await network.start(options)
    state.pids.push(...network.pids())
    await writeState(dir, state)

    const repos = await Promise.all(Array.from({ length: options.nodes }, async (_, i) => prepareRepo(path.join(dir, `node${i + 1}`), network.clientConfig())))
    await setBootstrapPeers(repos)

    const ledgerDir = path.join(dir, 'ledger')
    const ledger = await startLedger(ledgerDir, {
      signal: options.signal,
      stopWith: options.stopWith,
      onSpawn: async (pid) => {
        state.pids.push(pid)
        await writeState(dir, state)
      }
    })
    state.ledger = { ...ledger, issuer: await setUpPayments(ledgerDir, ledger.url, repos) }
    await writeState(dir, state)

    const names = options.sample === true
      ? await startNames(path.join(dir, 'names'), await onionOf(repos[0]), {
        signal: options.signal,
        stopWith: options.stopWith,
        onSpawn: async (pid) => {
          state.pids.push(pid)
          await writeState(dir, state)
        }
      })
      : undefined
    await Promise.all(repos.map(async repo => names == null ? undefined : useNames(repo, names)))

    for (const [i, repo] of repos.entries()) {
      const node = await startNode(repo, `node${i + 1}`, options, async (pid) => {
        // recorded before it is ready, so an interrupted `up` still stops it
        state.pids.push(pid)
        await writeState(dir, state)
      })
      state.nodes.push(node)
      await writeState(dir, state)
      options.onProgress?.(new CustomProgressEvent('devnet:node', node))
    }

    // bootstrap dials run in the background: have every node in the DHT
    // before `up` returns
    for (const node of state.nodes.slice(1)) {
      await create({ url: node.api }).swarm.connect(state.nodes[0].multiaddr as any, { signal: AbortSignal.timeout(120_000) })
    }

    if (names != null) {
      state.sample = { names: await publishSample(path.join(dir, 'sample-site'), state.nodes[0].api, options), servers: names }
      await writeState(dir, state)
    }

    return state
  } catch (err) {
    await devnetDown(dir)
    throw err
  }
}

async function writeState (dir: string, state: DevnetState): Promise<void> {
  await fs.writeFile(path.join(dir, STATE_FILE), JSON.stringify(state, null, 2))
}

/**
 * Create a node's repo once; the network is new at every `up`, so point the
 * node's tor at it, and drop what its tor cached of the last one (the onion
 * key is in the keystore). Every node relays payments: with five nodes or
 * more, clients pay through routes of relays found in the DHT.
 */
async function prepareRepo (repo: string, torrc: string[]): Promise<string> {
  if (!(await isInitialized(repo))) {
    await initRepo(repo, { config: { Addresses: EPHEMERAL_HTTP_ADDRESSES } as any })
  }

  await updateConfigFile(path.join(repo, 'config'), { 'Tor.ExtraConfig': torrc, 'Payments.Relay.Enabled': true })
  await fs.rm(path.join(repo, 'tor', 'data'), { recursive: true, force: true })

  return repo
}

/**
 * The first node is every other node's bootstrap peer, and the second is the
 * first one's
 */
async function setBootstrapPeers (repos: string[]): Promise<void> {
  const addresses = await Promise.all(repos.map(async repo => {
    const config = await readConfig(path.join(repo, 'config'))
    return `${config.Addresses.Swarm[0]}/p2p/${config.Identity.PeerID}`
  }))

  await Promise.all(repos.map(async (repo, i) => updateConfigFile(path.join(repo, 'config'), { 'Routing.Bootstrap': i === 0 ? addresses.slice(1, 2) : addresses.slice(0, 1) })))
}

async function startNode (repo: string, name: string, options: DevnetUpOptions, onSpawn: (pid: number) => Promise<void>): Promise<DevnetNode> {
  const { pid, output } = await startDetached({
    name,
    args: ['daemon', ...stopWithArgs(options.stopWith)],
    env: { TORPLUS_PATH: repo },
    logFile: path.join(repo, 'daemon.log'),
    ready: output => output.includes('Daemon is ready'),
    timeout: options.nodeTimeout ?? DEFAULT_NODE_TIMEOUT,
    signal: options.signal,
    onSpawn
  })
  const line = (prefix: string): string => output.split('\n').find(l => l.startsWith(prefix))?.slice(prefix.length).trim() ?? ''

  return {
    name,
    repo,
    pid,
    peerId: line('Peer ID: '),
    multiaddr: line('Swarm listening on '),
    api: /\((http:\/\/[^)]+)\/api\/v0\)/.exec(line('RPC API server listening on '))?.[1] ?? '',
    gateway: line('Gateway server listening on ').replace('/ipfs/<cid>', ''),
    proxy: line('Proxy listening on ').split(' ')[0],
    paymentGateway: line('Payment gateway listening on ').replace(/\/api\/v1$/, '')
  }
}

/** The onion id a repo's node listens on */
async function onionOf (repo: string): Promise<string> {
  const config = await readConfig(path.join(repo, 'config'))
  return /^\/onion3\/([a-z2-7]{56}):/.exec(config.Addresses.Swarm[0])?.[1] ?? ''
}
