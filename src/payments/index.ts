/**
 * @packageDocumentation
 *
 * Payments for bytes over `/torplus/payment/1.0.0`, settled on a Stellar
 * ledger: as payee, the service bills the peers it serves with signed
 * requests and takes signed versions of a tab (a channel account's payment
 * to us) as payment; as payer, it checks each bill against what the peer
 * delivered, its price and budget before it signs. The books (tabs, accounts,
 * history) are synced to the datastore at every payment; the settler submits
 * tabs on an interval and on the way out.
 *
 * A payer may also offer a payee money for attention to its sites
 * (`offerAttention`): the payee bills it with its next request, and both
 * keep it apart from byte money.
 *
 * The service knows nothing of bitswap: it declares the per-peer byte counts
 * it needs (`PeerCounts`, a `peerCounts` component), which the metered
 * bitswap provides.
 *
 * @example
 *
 * ```ts
 * import { payments, StellarWallet } from 'torplus/payments'
 *
 * const wallet = new StellarWallet({ seed, network: 'testnet', asset: { code: 'TPL', issuer } })
 * const libp2p = await createLibp2p({
 *   services: {
 *     peerCounts: myCounts(),
 *     payments: payments({ wallet, datastore, seed, pricePerMiB: 1_000n, channels: 4, ... })
 *   }
 * })
 * ```
 */
export { DEFAULT_HISTORY_LIMIT, MAX_ATTENTION_OFFER, MAX_HISTORY_LIMIT, MIN_ATTENTION_OFFER, PAYMENT_PROTOCOL } from './constants.js'
export { payments, PaymentService } from './service.js'
export type { BillOptions, BillOutcome, PaymentEvent, PaymentServiceComponents, PaymentServiceEvents, PaymentServiceInit, PayeeAccount, PayerAccount, PeerPayments, RelayStatus, RoutesInit, RoutesStatus, Tab, TabState } from './service.js'
export { RELAY_PROTOCOL, ROUTE_PROTOCOL } from './routes/constants.js'
export { relayKey } from './routes/relays.js'
export type { PeerCounts, PeerHolder } from './ports.js'
export { bytesFor, priceOf } from './pricing.js'
export { StellarWallet } from './stellar/wallet.js'
export type { AssetStanding, StellarWalletInit, WalletBalance, WalletPayment } from './stellar/wallet.js'
export * from './errors.js'
export { historyBuckets } from './history.js'
export type { HistoryBucket } from './history.js'
