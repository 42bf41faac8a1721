/**
 * The daemon's proxy on Addresses.Proxy: TorPlus names to the sites that
 * publish them, over libp2p; other hosts through tor with Proxy.Mode "tor"
 */
import { nodeAtOnion } from '../config/index.js'
import { listenAddress } from '../http/index.js'
import { SiteProxy } from '../publish/index.js'
import { socksConnector } from '../transport/index.js'
import type { ApiSettings } from '../config/index.js'
import type { TorPlusNode } from '../node.js'

export interface ProxyServer {
  /** host:port */
  address: string
  close(): Promise<void>
}

export async function startProxy (node: TorPlusNode, settings: ApiSettings): Promise<ProxyServer> {
  const log = node.helia.logger.forComponent('torplus:proxy')
  const { host, port, family } = listenAddress(settings.proxy ?? '', { what: 'proxy', key: 'Addresses.Proxy', allowNonLoopback: settings.allowNonLoopback, log })
  const tor = node.tor
  const connect = settings.proxyThroughTor && tor != null ? socksConnector(tor, { timeout: settings.proxyTimeout, purpose: 'torplus:proxy' }) : undefined
  const proxy = new SiteProxy({
    host,
    port,
    names: node.services.names,
    // the onion a name stands for, at the port torplus nodes listen on
    openSite: async (onion, name, options) => node.services.sites.open(nodeAtOnion(onion), name, options),
    connect,
    timeout: settings.proxyTimeout,
    log
  })
  const bound = await proxy.start()

  return {
    address: family === 6 ? `[${bound.host}]:${bound.port}` : `${bound.host}:${bound.port}`,
    close: async () => { await proxy.stop() }
  }
}
