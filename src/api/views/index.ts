/**
 * The JSON shapes the node's HTTP APIs answer with, PascalCase as Kubo's;
 * the CLI reads responses as these types
 */
export type { BitswapStatView, LedgersView, LedgerView } from './bitswap.js'
export type { BillView, BookHistoryView, HistoryBucketView, HistoryView, PeersView, PeerView, TabsView, TabView } from './payments.js'
export type { BalanceView, GatewayBalanceView, WalletHistoryView, WalletPaymentView } from './wallet.js'
export type { BandwidthView } from './stats.js'
export type { FrequencyTopView, PeerListView, PopularItemView } from './frequency.js'
export type { FillEventView, FillHistoryView, FillRoundView } from './fill.js'
export type { RelayStatView, RoutedPaymentView, RoutesView } from './routes.js'
export type { NameView, ResolvedView } from './names.js'
export type { NodeStatus, SiteCost, SiteCostView, StatusView } from './extension.js'
export type { SiteView } from './publish.js'
export type { AttentionPaymentsView, AttentionReportView, AttentionView } from './attention.js'
