/**
 * @packageDocumentation
 *
 * TorPlus names: `torplus.<domain>` (a TXT record `torplus=<onion>`),
 * `<name>.eth` and `http://sites.torplus.com/#<keyword>` (ENS, the `torplus`
 * text record or an onion3 contenthash), resolved to the onion of the node
 * that publishes the site. `routeName` is the pure routing rule the browser
 * extension shares; `nameResolver` is the node's service, with a TTL cache
 * and one lookup in flight per name, which in onion mode reaches name
 * servers through tor only.
 *
 * @example
 *
 * ```ts
 * import { nameResolver } from 'torplus/names'
 *
 * const libp2p = await createLibp2p({
 *   services: {
 *     names: nameResolver({ dns: ['https://dns.example/dns-query'] })
 *   }
 * })
 *
 * const { onion } = await libp2p.services.names.resolve('torplus.example.com')
 * ```
 */
export * from './constants.js'
export * from './errors.js'
export { nameResolver, NameResolver, nameServerProblem } from './resolver.js'
export type { NameResolverComponents, NameResolverInit, Resolution } from './resolver.js'
export { ENS_PARENT, isTorPlusName, routeName, SITES_HOST, WEB_HOST } from './route.js'
export type { NameRoute } from './route.js'
export { pacScript } from './pac.js'
export type { ProxyAddress } from './pac.js'
export { onionFromTxt, readOnionHost, TXT_KEY } from './txt.js'
export type { TxtOnion } from './txt.js'
export type { Connector } from './http.js'
