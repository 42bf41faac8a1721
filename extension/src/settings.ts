/**
 * What the options page sets: the proxy mode, where the node's proxy and
 * API are, and the API token if the node wants one. Kept in
 * chrome.storage.local; checked before it is kept.
 */

/** "all": every request through the node; "torplus": TorPlus names and onions only (PAC); "off": the extension leaves the proxy alone */
export type ProxyMode = 'all' | 'torplus' | 'off'

export interface Settings {
  mode: ProxyMode
  /** The node's proxy, `host:port` (Addresses.Proxy) */
  proxy: string
  /** The node's payment gateway, where the extension API is (Addresses.PaymentGateway) */
  api: string
  /** The payment gateway's token (the repo's keystore/gateway.token), for calls that move funds */
  token: string
}

/** The local node's defaults: Addresses.Proxy and Addresses.PaymentGateway */
export const DEFAULT_SETTINGS: Settings = {
  mode: 'torplus',
  proxy: '127.0.0.1:5103',
  api: 'http://127.0.0.1:5102',
  token: ''
}

const MODES: readonly ProxyMode[] = ['all', 'torplus', 'off']

/** Loopback only: the node runs on this machine, and the extension sends nothing elsewhere in the clear */
const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\])$/

/** `host:port` as Chrome's proxy settings take it */
export function parseProxyAddress (address: string): { host: string, port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address.trim())
  const port = Number(match?.[2])

  if (match == null || !LOOPBACK.test(match[1]) || port < 1 || port > 65535) {
    return undefined
  }

  return { host: match[1], port }
}

/** The settings as given, or what is wrong with them, in words for the options page */
export function checkSettings (input: Partial<Record<keyof Settings, unknown>>): { settings: Settings } | { problem: string } {
  const mode = input.mode ?? DEFAULT_SETTINGS.mode
  const proxy = String(input.proxy ?? DEFAULT_SETTINGS.proxy).trim()
  const api = String(input.api ?? DEFAULT_SETTINGS.api).trim().replace(/\/+$/, '')
  const token = String(input.token ?? '').trim()

  if (!MODES.includes(mode as ProxyMode)) {
    return { problem: `the mode is one of ${MODES.join(', ')}` }
  }

  if (parseProxyAddress(proxy) == null) {
    return { problem: `the node's proxy is host:port on this machine, such as ${DEFAULT_SETTINGS.proxy} (the node's Addresses.Proxy), not "${proxy.slice(0, 60)}"` }
  }

  let url: URL

  try {
    url = new URL(api)
  } catch {
    return { problem: `the node's API is a URL such as ${DEFAULT_SETTINGS.api} (the node's Addresses.PaymentGateway), not "${api.slice(0, 60)}"` }
  }

  if (url.protocol !== 'http:' || !LOOPBACK.test(url.hostname) || url.pathname !== '/' || url.search !== '' || url.username !== '') {
    return { problem: `the node's API is http://<loopback address>:<port>, such as ${DEFAULT_SETTINGS.api}` }
  }

  if (!/^[A-Za-z0-9_=+/-]{0,256}$/.test(token)) {
    return { problem: 'the API token is the text of the node\'s keystore/gateway.token' }
  }

  return { settings: { mode: mode as ProxyMode, proxy, api: url.origin, token } }
}
