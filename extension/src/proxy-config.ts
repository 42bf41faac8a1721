/**
 * Chrome's proxy settings for each mode: "all" sends every request to the
 * node's proxy (TorPlus names to their sites, .onion and the rest through
 * tor; Chrome itself always goes direct to loopback), "torplus" a PAC script
 * made from the node's routing rules (TorPlus names, sites.torplus.com and
 * .onion to the node, the rest direct), "off" gives the proxy back to Chrome.
 * Pure: the service worker applies it.
 */
import { pacScript } from '../../src/names/pac.js'
import { parseProxyAddress } from './settings.js'
import type { Settings } from './settings.js'

/** chrome.proxy's ProxyConfig, as far as these modes use it */
export type ProxyValue =
  | { mode: 'fixed_servers', rules: { singleProxy: { scheme: 'http', host: string, port: number } } }
  | { mode: 'pac_script', pacScript: { data: string, mandatory: boolean } }

/** The value for chrome.proxy.settings.set, or undefined to clear ours */
export function proxyValue (settings: Pick<Settings, 'mode' | 'proxy'>): ProxyValue | undefined {
  const address = parseProxyAddress(settings.proxy)

  if (settings.mode === 'off' || address == null) {
    return undefined
  }

  if (settings.mode === 'all') {
    return { mode: 'fixed_servers', rules: { singleProxy: { scheme: 'http', host: address.host, port: address.port } } }
  }

  return { mode: 'pac_script', pacScript: { data: pacScript(address), mandatory: true } }
}
