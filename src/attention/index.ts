/**
 * @packageDocumentation
 *
 * The attention book: seconds spent on each TorPlus site per day, as the
 * browser extension reports them through the node's extension API; with a
 * price per minute, what the user owes each site's owner for it, paid
 * through the payment protocol.
 *
 * @example
 *
 * ```ts
 * import { attentionBook } from 'torplus/attention'
 *
 * const libp2p = await createLibp2p({
 *   services: {
 *     attention: attentionBook({ datastore })
 *   }
 * })
 *
 * await libp2p.services.attention.record('torplus.example.com', 30)
 * ```
 */
export * from './constants.js'
export * from './errors.js'
export { attentionBook, AttentionBook } from './book.js'
export type { AttentionBookComponents, AttentionBookInit, AttentionRecorded, SiteAttention } from './book.js'
export type { AttentionPayment, SiteDue, SiteOwners } from './dues.js'
