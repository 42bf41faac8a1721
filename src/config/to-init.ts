/**
 * The one place that maps PascalCase config to camelCase component options
 */
import { toStroops } from '../payments/stellar/amounts.js'
import { parseByteSize } from './byte-size.js'
import type { Config } from './schema.js'
import type { CreditPolicyInit } from '../bitswap/credit.js'
import type { PaymentServiceInit } from '../payments/service.js'
import type { BitswapOptions } from '@helia/bitswap'

export function toLibp2pAddresses (config: Config): string[] {
  return config.Addresses.Swarm
}

export function toBitswapInit (config: Config): BitswapOptions {
  const { Bitswap } = config

  return {
    sendWantlistDebounce: Bitswap.SendWantlistDebounce,
    sendBlocksDebounce: Bitswap.SendBlocksDebounce,
    maxOutgoingMessageSize: Bitswap.MaxOutgoingMessageSize,
    maxIncomingMessageSize: Bitswap.MaxOutgoingMessageSize * 2,
    messageSendTimeout: Bitswap.MessageTimeout,
    messageReceiveTimeout: Bitswap.MessageTimeout,
    sendBlocksTimeout: Bitswap.MessageTimeout
  }
}

export function toPaymentInit (config: Config, seed: Uint8Array): PaymentServiceInit {
  const { Payments } = config

  return {
    seed,
    pricePerMiB: toStroops(Payments.PricePerMiB),
    maxPricePerMiB: toStroops(Payments.MaxPricePerMiB),
    byteTolerance: parseByteSize(Payments.ByteTolerance) ?? 0n,
    payAhead: parseByteSize(Payments.PayAhead) ?? 0n,
    budgetPerPeer: toStroops(Payments.Budget.PerPeer),
    budgetTotal: toStroops(Payments.Budget.Total),
    budgetPeriod: Payments.Budget.Period,
    requestExpiry: Payments.RequestExpiry,
    requestTimeout: Payments.RequestTimeout,
    settleAmount: toStroops(Payments.SettleAmount),
    settleInterval: Payments.SettleInterval,
    channels: Payments.Channels,
    historyRetention: Payments.HistoryRetention
  }
}

export function toCreditInit (config: Config): CreditPolicyInit {
  const { Bitswap, Payments } = config

  return {
    pricePerMiB: toStroops(Payments.PricePerMiB),
    freeAllowance: Number(parseByteSize(Bitswap.FreeAllowance) ?? 0n),
    allowanceRefreshRate: Number(parseByteSize(Bitswap.AllowanceRefreshRate) ?? 0n),
    paymentThreshold: toStroops(Bitswap.PaymentThreshold),
    billAhead: toStroops(Bitswap.BillAhead),
    creditLimit: toStroops(Bitswap.CreditLimit),
    disconnectLimit: toStroops(Bitswap.DisconnectLimit),
    throttleRate: Number(parseByteSize(Bitswap.ThrottleRate) ?? 0n),
    inFlight: Bitswap.MaxOutgoingMessageSize
  }
}
