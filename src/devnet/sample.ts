/**
 * The sample of `devnet up --sample`: name servers for node1's onion (a DNS
 * TXT record from dnsmasq on loopback, an ENS text record on a local chain),
 * run by `torplus devnet names` detached, every node's config pointed at
 * them, and a small site node1 publishes under the DNS name
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { updateConfigFile } from '../config/index.js'
import { SAMPLE_DNS_NAME, SAMPLE_ENS_NAME } from './constants.js'
import { startDetached, stopWithArgs } from './detached.js'
import type { AbortOptions } from '@libp2p/interface'

export interface DevnetNames {
  /** `dns://127.0.0.1:<port>` */
  dns: string
  /** The chain's JSON-RPC endpoint */
  ethRpc: string
  ensRegistry: string
  /** The name server process, and dnsmasq, its child */
  pids: number[]
}

const DNS = /^DNS listening on (\S+) \(pid (\d+)\)$/m
const RPC = /^Ethereum JSON-RPC listening on (\S+)$/m
const REGISTRY = /^ENS registry (0x[0-9a-fA-F]{40})$/m

/**
 * Start `torplus devnet names` detached for `onion`, and wait for its
 * servers; `onSpawn` hears of each process as it starts
 */
export async function startNames (dir: string, onion: string, options: AbortOptions & { onSpawn(pid: number): Promise<void>, stopWith?: number }): Promise<DevnetNames> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 })
  const { pid, output } = await startDetached({
    name: 'names',
    args: ['devnet', 'names', '--onion', onion, ...stopWithArgs(options.stopWith)],
    logFile: path.join(dir, 'names.log'),
    ready: output => REGISTRY.test(output),
    // ganache says it has no native websocket build for this Node.js, and does without
    failure: /^Error: (?!Cannot find module '\.\.\/binaries\/uws).*$/m,
    timeout: 60_000,
    signal: options.signal,
    onSpawn: options.onSpawn
  })
  const dns = DNS.exec(output)
  await options.onSpawn(Number(dns?.[2]))

  return { dns: dns?.[1] ?? '', ethRpc: RPC.exec(output)?.[1] ?? '', ensRegistry: REGISTRY.exec(output)?.[1] ?? '', pids: [pid, Number(dns?.[2])] }
}

/** Have a node look names up on the devnet's servers */
export async function useNames (repo: string, names: DevnetNames): Promise<void> {
  await updateConfigFile(path.join(repo, 'config'), { 'Names.Dns': [names.dns], 'Names.EthRpc': names.ethRpc, 'Names.EnsRegistry': names.ensRegistry })
}

/** Write the sample site and have the node at `api` publish it; returns the names it is reached by */
export async function publishSample (dir: string, api: string, options: AbortOptions = {}): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true })
  await fs.writeFile(path.join(dir, 'index.html'), [
    '<!doctype html>',
    '<meta charset="utf-8">',
    '<title>A TorPlus site</title>',
    '<h1>Hello from node1</h1>',
    `<p>This page is a site of node1, published with <code>torplus publish</code> and reached by name (${SAMPLE_DNS_NAME} or ${SAMPLE_ENS_NAME}) over libp2p on onion services, paid as content is.</p>`,
    ''
  ].join('\n'))
  const url = new URL('/api/v0/publish', api)
  url.searchParams.set('arg', path.resolve(dir))
  url.searchParams.set('name', SAMPLE_DNS_NAME)
  const response = await fetch(url, { method: 'POST', signal: options.signal ?? AbortSignal.timeout(30_000) })

  if (!response.ok) {
    throw new Error(`node1 did not publish the sample site: ${(await response.text()).slice(0, 300)}`)
  }

  return [SAMPLE_DNS_NAME, SAMPLE_ENS_NAME]
}
