/**
 * Run `torplus daemon` as a child process and read what it prints
 */
import { spawn } from 'node:child_process'
import { create } from 'kubo-rpc-client'
import { stopProcess } from '../../src/utils/processes.js'
import { BIN } from './cli.js'
import { createPlainHelia } from './helia.js'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import type { KuboRPCClient } from 'kubo-rpc-client'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

export interface RunningDaemon {
  process: ChildProcessWithoutNullStreams
  repo: string
  peerId: string
  /** Swarm addresses with /p2p/ */
  multiaddrs: string[]
  apiUrl: string
  gatewayUrl: string
  client: KuboRPCClient
  output(): string
  /** SIGTERM and wait for the exit code */
  stop(): Promise<number | null>
}

export interface StartDaemonOptions {
  /** How long it may take to be ready, in ms */
  timeout?: number
  /**
   * A file holding a pattern: the daemon SIGKILLs itself as soon as it logs
   * (torplus:payments) a line that matches it (see crash-on-log.ts)
   */
  crashOnLog?: string
}

export async function startDaemon (repo: string, options: StartDaemonOptions = {}): Promise<RunningDaemon> {
  const crash = options.crashOnLog == null
    ? { args: [], env: {} }
    : { args: ['--import', new URL('./crash-on-log.js', import.meta.url).href], env: { CRASH_ON_LOG: options.crashOnLog, DEBUG: 'torplus:payments*' } }
  // it stops with us, even if we are killed
  const child = spawn(process.execPath, [...crash.args, BIN, 'daemon', '--stop-with', String(process.pid)], {
    env: { ...process.env, ...crash.env, TORPLUS_PATH: repo },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })

  const exited = new Promise<number | null>(resolve => child.on('exit', code => { resolve(code) }))

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`daemon not ready within ${options.timeout ?? 30_000} ms:\n${output}`))
    }, options.timeout ?? 30_000)

    const check = (): void => {
      if (output.includes('Daemon is ready')) {
        clearTimeout(timer)
        resolve()
      }
    }

    child.stdout.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`daemon exited with ${code}:\n${output}`))
    })
  })

  const line = (prefix: string): string[] => output.split('\n').filter(l => l.startsWith(prefix)).map(l => l.slice(prefix.length).trim())
  const apiUrl = (line('RPC API server listening on ')[0].match(/\((http:\/\/[^)]+)\/api\/v0\)/) ?? [])[1]
  const gatewayUrl = line('Gateway server listening on ')[0].replace('/ipfs/<cid>', '')

  return {
    process: child,
    repo,
    peerId: line('Peer ID: ')[0],
    multiaddrs: line('Swarm listening on '),
    apiUrl,
    gatewayUrl,
    client: create({ url: apiUrl }),
    output: () => output,
    async stop () {
      if (child.exitCode != null) {
        return child.exitCode
      }

      await stopProcess(child, 20_000)
      return exited
    }
  }
}

export interface DaemonWithPublisher {
  daemon: RunningDaemon
  /** A plain Helia node connected to the daemon, to put crafted blocks where the daemon fetches them */
  publisher: HeliaWithLibp2p<any>
  stop(): Promise<void>
}

export async function startDaemonWithPublisher (repo: string): Promise<DaemonWithPublisher> {
  const daemon = await startDaemon(repo)
  const publisher = await createPlainHelia()
  await daemon.client.swarm.connect(publisher.libp2p.getMultiaddrs()[0])

  return {
    daemon,
    publisher,
    async stop () {
      await publisher.stop()
      await daemon.stop()
    }
  }
}
