/**
 * A real tor process for tests, with the network disabled: its control port
 * works in full (auth, GETINFO, ADD_ONION), and it never leaves this machine
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import pRetry from 'p-retry'
import pWaitFor from 'p-wait-for'
import { TorNetwork } from '../../src/devnet/tor-network.js'
import { ManagedTor } from '../../src/transport/index.js'
import { OnionService } from '../../src/transport/onion-service.js'
import { socksConnect } from '../../src/transport/socks.js'
import { tempDir } from './repo.js'
import type { OnionKey } from '../../src/transport/index.js'
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

export interface PrivateTors {
  network: TorNetwork
  /** Started tors on the network, by the names asked for */
  tors: Record<string, ManagedTor>
  stop(): Promise<void>
}

/**
 * A private tor network on 127.0.0.1 and a started tor on it for each name
 */
export async function startPrivateTors (prefix: string, names: string[]): Promise<PrivateTors> {
  const logger = defaultLogger()
  const dir = await tempDir(prefix)
  const network = new TorNetwork({ dir: path.join(dir, 'network'), logger })
  const tors: Record<string, ManagedTor> = {}

  const stop = async (): Promise<void> => {
    await Promise.all(Object.values(tors).map(async tor => tor.stop()))
    await network.stop()
  }

  try {
    await network.start()

    for (const name of names) {
      tors[name] = new ManagedTor({ dir: path.join(dir, name), logger, extraConfig: network.clientConfig() })
    }

    await Promise.all(Object.values(tors).map(async tor => tor.start()))
  } catch (err) {
    await stop()
    throw err
  }

  return { network, tors, stop }
}

/**
 * Publish an onion service on `service` and wait until `client` reaches it.
 * On the devnet tor's time period is four minutes (an SRV run), and a client
 * whose consensus still says the last period asks for a descriptor that a
 * service born in the new one never uploaded; a key published and reached
 * once stays reachable across the boundary
 */
export async function publishReachable (service: ManagedTor, client: ManagedTor, key: OnionKey, ports: Map<number, string>): Promise<OnionService> {
  const published = new OnionService({ tor: service, key, descriptorTimeout: 60_000, log: defaultLogger().forComponent('test:tor') })

  for (const [virtualPort, target] of ports) {
    await published.add(virtualPort, target)
  }

  const [port] = ports.keys()
  await pRetry(async () => {
    const socket = await socksConnect({ proxy: client.socks, destination: { host: `${key.serviceId}.onion`, port }, timeout: 30_000 })
    socket.destroy()
  }, { retries: 10, minTimeout: 5_000, factor: 1 })

  return published
}
