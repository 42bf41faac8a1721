/**
 * @packageDocumentation
 *
 * Metered bitswap, composed around an unmodified @helia/bitswap as libp2p
 * services: the traffic meter counts bitswap bytes per peer through stream
 * middleware (`peerTraffic` keeps them in the datastore), the delivery meter
 * counts what each peer delivered that we asked it for, `peerCounts` gives
 * both to the payment service as its `PeerCounts`, and the credit gate
 * throttles, bills and holds the wants of peers that owe.
 *
 * @example
 *
 * ```ts
 * import { withBitswap } from '@helia/bitswap'
 * import { withLibp2pLight } from '@helia/libp2p'
 * import { bitswapInternals, bitswapTrafficMeter, deliveryMeter, peerCounts, peerTrafficStore } from 'torplus/bitswap'
 *
 * const node = withBitswap(withLibp2pLight(helia, {
 *   services: {
 *     peerTraffic: peerTrafficStore(),
 *     deliveryMeter: deliveryMeter({ bitswap: () => bitswapInternals(helia), startAfter: helia.events }),
 *     peerCounts: peerCounts(),
 *     bitswapTraffic: bitswapTrafficMeter()
 *   }
 * }))
 * ```
 */
export { BITSWAP_PROTOCOL } from './constants.js'
export { creditGate, CreditGate } from './credit-gate.js'
export type { CreditGateComponents, CreditGateInit } from './credit-gate.js'
export { CreditPolicy } from './credit.js'
export type { CreditPolicyInit, CreditSources, CreditStatus, PeerCreditView } from './credit.js'
export { bitswapInternals, deliveryMeter, DeliveryMeter } from './delivery-meter.js'
export type { BitswapInternals, DeliveryMeterComponents, DeliveryMeterInit } from './delivery-meter.js'
export { peerCounts } from './peer-counts.js'
export { countReceived, meterOutbound } from './metered-stream.js'
export type { OutboundGate } from './gated-stream.js'
export type { PeerCountsComponents } from './peer-counts.js'
export { peerTrafficStore, PeerTrafficStore } from './peer-traffic.js'
export type { PeerKeeper, PeerTraffic, PeerTrafficStoreComponents, PeerTrafficStoreEvents, PeerTrafficStoreInit } from './peer-traffic.js'
export { bitswapTrafficMeter, BitswapTrafficMeter } from './traffic-meter.js'
export type { BitswapGate, BitswapTraffic, BitswapTrafficMeterComponents, BitswapTrafficMeterInit } from './traffic-meter.js'
export * from './errors.js'
export { observeWants, readWantlist } from './want-scanner.js'
export type { Want, WantObserver } from './want-scanner.js'
