/**
 * A real tor process for tests, with the network disabled: its control port
 * works in full (auth, GETINFO, ADD_ONION), and it never leaves this machine
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import pWaitFor from 'p-wait-for'
import { tempDir } from './repo.js'
import type { ChildProcess } from 'node:child_process'

export interface OfflineTor {
  dataDirectory: string
  controlPort: number
  cookieFile: string
  stop(): Promise<void>
}

export async function startOfflineTor (extra: string[] = []): Promise<OfflineTor> {
  const dir = await tempDir('torplus-tor-')
  const dataDirectory = path.join(dir, 'data')
  await fs.mkdir(dataDirectory, { mode: 0o700 })
  const portFile = path.join(dir, 'control-port')
  const torrc = path.join(dir, 'torrc')
  const defaults = path.join(dir, 'defaults')
  await fs.writeFile(defaults, '')
  await fs.writeFile(torrc, [
    `DataDirectory ${dataDirectory}`,
    'DisableNetwork 1',
    'SocksPort auto',
    'ControlPort auto',
    `ControlPortWriteToFile ${portFile}`,
    'CookieAuthentication 1',
    'Log notice stdout',
    ...extra
  ].join('\n') + '\n')

  const child: ChildProcess = spawn('tor', ['-f', torrc, '--defaults-torrc', defaults], { stdio: 'ignore' })
  const exited = new Promise<void>(resolve => child.once('exit', () => { resolve() }))

  await pWaitFor(async () => (await fs.readFile(portFile, 'utf8').catch(() => '')).includes('PORT='), { interval: 100, timeout: 30_000 })
  const port = Number(/PORT=127\.0\.0\.1:(\d+)/.exec(await fs.readFile(portFile, 'utf8'))?.[1])

  return {
    dataDirectory,
    controlPort: port,
    cookieFile: path.join(dataDirectory, 'control_auth_cookie'),
    async stop () {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
  }
}
