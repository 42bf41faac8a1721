/**
 * @packageDocumentation
 *
 * Facts of the Stellar network that the node's payments and the devnet's
 * ledger share: amounts in stroops, the networks and their passphrases, the
 * bytes inside the SDK's XDR wrappers. Nothing here talks to a network.
 */
export * from './amounts.js'
export * from './networks.js'
export { xdrBytes } from './xdr-bytes.js'
