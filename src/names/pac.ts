/**
 * The proxy auto-config (PAC) script the browser extension gives Chrome in
 * its "TorPlus only" mode: the hosts that need the node go to its proxy,
 * everything else direct. A PAC script sees the host only (no fragment, and
 * for HTTPS no path), so it sends the node what `routeName` would look up,
 * all of `sites.torplus.com` (its keyword is in the fragment: the extension
 * tells the node which before the request leaves) and `.onion` hosts, which
 * only tor reaches. Built from route.ts's own constants, and held to
 * `routeName` by the tests, host for host. No Node.js API here: the
 * extension bundles it.
 */
import { ENS_PARENT, LABEL, MAX_NAME_LENGTH, SITES_HOST, TORPLUS_LABEL, WEB_HOST } from './route.js'

/** Where the node's proxy listens: a loopback host and a port */
export interface ProxyAddress {
  host: string
  port: number
}

/** The host rule of `routeName`, as PAC JavaScript (ES5: Chrome runs PAC scripts in a bare engine) */
const HOST_RULE = `
function isTorPlusHost (host) {
  host = host.toLowerCase()
  if (host.charAt(host.length - 1) === '.') { host = host.slice(0, -1) }
  if (host === SITES_HOST) { return true }
  var labels = host.split('.')
  var last = labels[labels.length - 1]
  if (labels.length >= 2 && last === 'onion') { return true }
  if (host.length === 0 || host.length > MAX_NAME_LENGTH) { return false }
  for (var i = 0; i < labels.length; i++) {
    if (!LABEL.test(labels[i])) { return false }
  }
  if (labels.length >= 2 && last === 'eth') { return true }
  return host !== WEB_HOST && labels.slice(0, -2).indexOf(TORPLUS_LABEL) !== -1
}
`

/** A PAC script sending TorPlus hosts to the proxy at `proxy`, the rest direct */
export function pacScript (proxy: ProxyAddress): string {
  return [
    '// TorPlus: TorPlus names, sites.torplus.com and .onion through the node, the rest direct',
    `var SITES_HOST = ${JSON.stringify(SITES_HOST)};`,
    `var WEB_HOST = ${JSON.stringify(WEB_HOST)};`,
    `var TORPLUS_LABEL = ${JSON.stringify(TORPLUS_LABEL)};`,
    `var MAX_NAME_LENGTH = ${MAX_NAME_LENGTH};`,
    `var LABEL = ${LABEL.toString()};`,
    `var NODE = ${JSON.stringify(`PROXY ${proxy.host}:${proxy.port}`)};`,
    `// ENS names: <name>.eth, sites under ${ENS_PARENT}`,
    HOST_RULE.trim(),
    'function FindProxyForURL (url, host) { return isTorPlusHost(host) ? NODE : "DIRECT"; }',
    ''
  ].join('\n')
}
