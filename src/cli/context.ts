/**
 * What every command handler gets: output helpers, the repo path, a signal
 * (Ctrl-C or --timeout) and the RPC client. As in Kubo, a command talks to the
 * daemon running on the repo; with none, it opens the repo itself and serves
 * the same API in-process on an ephemeral loopback port for its own use.
 * The node and the RPC client are imported only when a command needs them,
 * so `--help` and commands served by a daemon start quickly.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { anySignal } from 'any-signal'
import { parseDurationArg } from './options.js'
import type { KuboRPCClient } from 'kubo-rpc-client'

export interface GlobalArgs {
  repoDir?: string
  api?: string
  enc: 'text' | 'json'
  json?: boolean
  timeout?: string
  debug?: boolean
}

export interface CliContext {
  repoPath: string
  /** --enc=json or --json */
  json: boolean
  signal: AbortSignal
  print(line: string): void
  printJson(value: unknown): void
  /** The daemon's API, or an in-process one on the locked repo */
  client(options?: { command?: string, requireDaemon?: boolean }): Promise<KuboRPCClient>
  /**
   * POST to an RPC endpoint that kubo-rpc-client does not know (the
   * TorPlus-only ones), with ?arg= and options; the parsed JSON answer
   */
  call<T = unknown>(endpoint: string, query?: Record<string, string | string[] | undefined>, options?: { requireDaemon?: boolean }): Promise<T>
  /**
   * POST to a TorPlus-only RPC endpoint that streams NDJSON; each object as
   * it comes
   */
  stream<T = unknown>(endpoint: string, query?: Record<string, string | string[] | undefined>, options?: { requireDaemon?: boolean }): AsyncGenerator<T>
  /** Whether client() reached a running daemon */
  isDaemon(): boolean
  close(): Promise<void>
}

export function defaultRepoPath (): string {
  return process.env.TORPLUS_PATH ?? path.join(os.homedir(), '.torplus')
}

/** An RPC endpoint's URL with ?arg= and options */
function endpointUrl (apiUrl: string | undefined, endpoint: string, query: Record<string, string | string[] | undefined>): URL {
  const url = new URL(`/api/v0/${endpoint}`, apiUrl)

  for (const [key, value] of Object.entries(query)) {
    for (const item of [value ?? []].flat()) {
      url.searchParams.append(key, item)
    }
  }

  return url
}

function toApiUrl (api: string): string {
  if (api.startsWith('http://') || api.startsWith('https://')) {
    return api
  }

  const match = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)/.exec(api)

  if (match == null) {
    throw new Error(`--api must be a URL or an /ip4/<address>/tcp/<port> multiaddr, not "${api}"`)
  }

  return `http://${match[1] === 'ip6' ? `[${match[2]}]` : match[2]}:${match[3]}`
}

async function readApiFile (repoPath: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(path.join(repoPath, 'api'), 'utf8')).trim()
  } catch {
    return undefined
  }
}

async function reachable (client: KuboRPCClient): Promise<boolean> {
  try {
    await client.version({ signal: AbortSignal.timeout(5_000) })
    return true
  } catch {
    return false
  }
}

export function createContext (args: GlobalArgs): CliContext {
  const repoPath = path.resolve(args.repoDir ?? defaultRepoPath())
  const controller = new AbortController()
  const signals = [controller.signal]

  if (args.timeout != null) {
    signals.push(AbortSignal.timeout(parseDurationArg('--timeout', args.timeout, 's')))
  }

  const signal = anySignal(signals)
  const closers: Array<() => Promise<void>> = []
  let daemon = false
  let client: KuboRPCClient | undefined
  let apiUrl: string | undefined

  const onSignal = (): void => { controller.abort(new Error('interrupted')) }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  return {
    repoPath,
    json: args.enc === 'json' || args.json === true,
    signal,
    print (line) {
      process.stdout.write(line + '\n')
    },
    printJson (value) {
      process.stdout.write(JSON.stringify(value, (_key, v) => typeof v === 'bigint' ? Number(v) : v) + '\n')
    },
    isDaemon: () => daemon,
    async call (endpoint, query = {}, options = {}) {
      await this.client({ requireDaemon: options.requireDaemon })
      const response = await fetch(endpointUrl(apiUrl, endpoint, query), { method: 'POST', signal })
      const body = await response.json().catch(() => ({})) as { Message?: string }

      if (!response.ok) {
        throw new Error(body.Message ?? `${endpoint} failed with HTTP ${response.status}`)
      }

      return body as any
    },
    async * stream (endpoint, query = {}, options = {}) {
      await this.client({ requireDaemon: options.requireDaemon })
      const response = await fetch(endpointUrl(apiUrl, endpoint, query), { method: 'POST', signal })

      if (!response.ok || response.body == null) {
        const body = await response.json().catch(() => ({})) as { Message?: string }
        throw new Error(body.Message ?? `${endpoint} failed with HTTP ${response.status}`)
      }

      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
      let rest = ''

      while (true) {
        const { done, value: chunk } = await reader.read()

        if (done) {
          break
        }

        const lines = (rest + chunk).split('\n')
        rest = lines.pop() ?? ''

        for (const line of lines.filter(line => line.trim() !== '')) {
          yield JSON.parse(line)
        }
      }
    },
    async client (options = {}) {
      if (client != null) {
        return client
      }

      const { create } = await import('kubo-rpc-client')
      const api = args.api ?? await readApiFile(repoPath)

      if (api != null) {
        const remote = create({ url: toApiUrl(api) })

        // an explicit --api must work; a stale api file from a crash is ignored
        if (args.api != null || await reachable(remote)) {
          daemon = true
          client = remote
          apiUrl = toApiUrl(api)
          return client
        }
      }

      if (options.requireDaemon === true) {
        throw new Error(`no daemon is running on ${repoPath}: start one with \`torplus daemon\``)
      }

      const { openRepo } = await import('../repo/index.js')
      const { createTorPlusNode } = await import('../node.js')
      const { startApiServers } = await import('../api/index.js')
      const repo = await openRepo(repoPath, { command: options.command ?? 'cli' })
      closers.push(async () => { await repo.close() })

      const node = createTorPlusNode({ repo, offline: true })
      await node.start()
      closers.push(async () => { await node.stop() })

      const servers = await startApiServers({ node, shutdown: () => {}, gateway: false, apiAddress: '/ip4/127.0.0.1/tcp/0' })
      closers.push(async () => { await servers.close() })

      client = create({ url: servers.api.url })
      apiUrl = servers.api.url
      return client
    },
    async close () {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)

      for (const closer of closers.reverse()) {
        await closer()
      }

      closers.length = 0
      signal.clear()
    }
  }
}
