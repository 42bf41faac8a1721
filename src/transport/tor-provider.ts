/**
 * The tor a node uses, from its config: a managed tor with its data in the
 * repo, or an existing one
 */
import path from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { ExternalTor } from './external-tor.js'
import { ManagedTor } from './tor-process.js'
import type { Config } from '../config/schema.js'
import type { ComponentLogger } from '@libp2p/interface'

export type NodeTor = ManagedTor | ExternalTor

function hostPort (address: string): { host: string, port: number } {
  const [ip, tcp] = multiaddr(address).getComponents()
  return { host: ip.value ?? '127.0.0.1', port: Number(tcp.value) }
}

export function createTor (config: Config, repoPath: string, logger: ComponentLogger): NodeTor {
  const { Tor } = config

  if (Tor.Mode === 'external' && Tor.ControlAddress != null && Tor.SocksAddress != null) {
    return new ExternalTor({
      control: hostPort(Tor.ControlAddress),
      socks: hostPort(Tor.SocksAddress),
      password: Tor.ControlPassword ?? undefined,
      cookieFile: Tor.CookieAuthFile ?? undefined,
      bootstrapTimeout: Tor.BootstrapTimeout,
      logger
    })
  }

  return new ManagedTor({
    dir: path.join(repoPath, 'tor'),
    torPath: Tor.Path,
    extraConfig: Tor.ExtraConfig,
    bootstrapTimeout: Tor.BootstrapTimeout,
    logger
  })
}
