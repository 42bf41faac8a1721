/**
 * The devnet's own processes (daemons, the ledger): `torplus <args>` run
 * detached, so it outlives `devnet up`, with its output in a log file that
 * says when it is ready
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { stopPid } from '../utils/processes.js'
import { DevnetNodeError } from './errors.js'
import type { AbortOptions } from '@libp2p/interface'

const BIN = fileURLToPath(new URL('../../../bin/torplus.js', import.meta.url))

export interface StartDetachedOptions extends AbortOptions {
  /** For errors, e.g. "node1" */
  name: string
  args: string[]
  env?: Record<string, string>
  logFile: string
  /** Whether the output so far shows the process ready */
  ready(output: string): boolean
  /**
   * A line of the output that says the process failed
   *
   * @default /^Error: .*$/m
   */
  failure?: RegExp
  /** Milliseconds to become ready */
  timeout: number
  /** Called as soon as the process exists, so an interrupted start can still stop it */
  onSpawn(pid: number): Promise<void>
}

/**
 * Start the process and wait until it is ready; returns its pid and output
 */
export async function startDetached (options: StartDetachedOptions): Promise<{ pid: number, output: string }> {
  const log = await fs.open(options.logFile, 'w')
  const child = spawn(process.execPath, [BIN, ...options.args], {
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', log.fd, log.fd]
  })
  child.unref()
  await log.close()
  const pid = child.pid ?? 0
  await options.onSpawn(pid)

  const deadline = Date.now() + options.timeout

  while (Date.now() < deadline) {
    options.signal?.throwIfAborted()
    const output = await fs.readFile(options.logFile, 'utf8')

    if (options.ready(output)) {
      return { pid, output }
    }

    const failed = (options.failure ?? /^Error: .*$/m).exec(output)

    if (child.exitCode != null || failed != null) {
      throw new DevnetNodeError(options.name, failed?.[0] ?? `exit code ${child.exitCode}`, options.logFile)
    }

    await new Promise(resolve => setTimeout(resolve, 100))
  }

  await stopPid(pid, 5_000)
  throw new DevnetNodeError(options.name, `not ready within ${options.timeout} ms`, options.logFile)
}

/** The option that has a devnet process stop with the process `pid` */
export function stopWithArgs (pid?: number): string[] {
  return pid == null ? [] : ['--stop-with', String(pid)]
}
