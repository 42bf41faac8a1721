/**
 * The JSON shapes of the node's Stellar account: amounts as exact 7-decimal
 * strings
 */
import { fromStroops } from '../../stellar/index.js'
import type { WalletBalance, WalletPayment } from '../../payments/index.js'

/** The payment gateway's balance */
export interface GatewayBalanceView {
  Address: string
  Funded: boolean
  Native: string
  Asset: { Code: string, Issuer: string | null }
  AssetBalance: string | null
}

/** wallet/balance: the gateway's, with the network and the trustline's standing */
export interface BalanceView extends GatewayBalanceView {
  Network: string
  Trusted: boolean
  Authorized: boolean
}

export interface WalletPaymentView {
  ID: string
  Type: WalletPayment['type']
  Direction: 'in' | 'out'
  From: string
  To: string
  Amount: string
  Asset: string
  CreatedAt: string
  Transaction: string
}

export interface WalletHistoryView {
  Payments: WalletPaymentView[]
}

export function gatewayBalanceView (balance: WalletBalance): GatewayBalanceView {
  return {
    Address: balance.address,
    Funded: balance.funded,
    Native: fromStroops(balance.native),
    Asset: { Code: balance.asset.code, Issuer: balance.asset.issuer },
    AssetBalance: balance.assetBalance == null ? null : fromStroops(balance.assetBalance)
  }
}

export function balanceView (balance: WalletBalance, network: string): BalanceView {
  const { Address, ...rest } = gatewayBalanceView(balance)
  return { Address, Network: network, ...rest, Trusted: balance.assetBalance != null, Authorized: balance.authorized }
}

export function walletPaymentView (payment: WalletPayment): WalletPaymentView {
  return {
    ID: payment.id,
    Type: payment.type,
    Direction: payment.direction,
    From: payment.from,
    To: payment.to,
    Amount: fromStroops(payment.amount),
    Asset: payment.asset,
    CreatedAt: payment.createdAt,
    Transaction: payment.transactionHash
  }
}
