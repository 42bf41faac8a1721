/**
 * @packageDocumentation
 *
 * Serving HTTP on this machine only: a hono app bound to a loopback
 * multiaddr, answering only requests that name it by address. The RPC API,
 * the gateways and the devnet's ledger all serve through it.
 */
export { listenAddress, serve } from './server.js'
export * from './errors.js'
export type { HttpServer, ServeOptions } from './server.js'
