/**
 * @packageDocumentation
 *
 * TorPlus sites: a directory or a local web server published by the node,
 * reached by other torplus nodes over `/torplus/site/1.0.0` and metered by
 * the credit gate as bitswap is; and the local proxy (HTTP CONNECT, HTTP
 * requests in absolute form, SOCKS5) through which a browser reaches them
 * by name.
 *
 * @example
 *
 * ```ts
 * import { siteService } from 'torplus/publish'
 *
 * const libp2p = await createLibp2p({
 *   services: {
 *     sites: siteService({ datastore })
 *   }
 * })
 *
 * await libp2p.services.sites.publish({ dir: '/srv/www', name: 'torplus.example.com' })
 * ```
 */
export * from './constants.js'
export * from './errors.js'
export { siteService, SiteService } from './sites.js'
export type { OnionPorts, PlainOnionInit, PublishedSite, PublishOptions, SiteServiceComponents, SiteServiceInit } from './sites.js'
export { SiteProxy } from './proxy.js'
export type { SiteProxyInit } from './proxy.js'
export { streamToDuplex } from './duplex.js'
export type { FreeAllowanceInit } from './free-allowance.js'
