/**
 * Run the real `torplus` binary, as a user would
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../../bin/torplus.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
  stdoutBytes: Buffer
}

export interface CliOptions {
  repo: string
  input?: Buffer | string
  cwd?: string
  env?: Record<string, string>
  /** Milliseconds before the command is killed */
  timeout?: number
}

export async function torplus (args: string[], options: CliOptions): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, TORPLUS_PATH: options.repo },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  child.stdin.end(options.input ?? '')

  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 60_000)

  const code = await new Promise<number | null>((resolve) => {
    child.on('close', (exitCode) => { resolve(exitCode) })
  })
  clearTimeout(timer)

  const stdoutBytes = Buffer.concat(stdout)

  return { code, stdout: stdoutBytes.toString(), stderr: Buffer.concat(stderr).toString(), stdoutBytes }
}
