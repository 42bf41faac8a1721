/**
 * Errors of the payment side that the RPC API and the CLI expose
 */
import { TorPlusError } from '../errors.js'

/** No Horizon to talk to */
export class HorizonNotConfiguredError extends TorPlusError {
  static name = 'HorizonNotConfiguredError'
  readonly code = 'ERR_HORIZON_NOT_CONFIGURED'

  constructor (network: string) {
    super(`Payments.Horizon is not set for the ${network} network: run \`torplus devnet up\`, or set it with \`torplus config set Payments.Horizon <url>\``)
  }
}

/** The asset has no issuer in the config */
export class AssetNotConfiguredError extends TorPlusError {
  static name = 'AssetNotConfiguredError'
  readonly code = 'ERR_ASSET_NOT_CONFIGURED'

  constructor (code: string) {
    super(`Payments.Asset.Issuer is not set, so the ${code} asset is unknown: set it with \`torplus config set Payments.Asset.Issuer G…\``)
  }
}

/** The node's Stellar account does not exist on the network yet */
export class AccountNotFundedError extends TorPlusError {
  static name = 'AccountNotFundedError'
  readonly code = 'ERR_ACCOUNT_NOT_FUNDED'

  constructor (address: string, network: string) {
    super(`the Stellar account ${address} does not exist on the ${network} network: send it at least 2 XLM (on the devnet, \`devnet up\` funds every node)`)
  }
}

/** Horizon did not answer */
export class HorizonUnreachableError extends TorPlusError {
  static name = 'HorizonUnreachableError'
  readonly code = 'ERR_HORIZON_UNREACHABLE'

  constructor (url: string, reason: string) {
    super(`Horizon at ${url} did not answer (${reason}): check Payments.Horizon and that the server runs`)
  }
}

/** Stellar refused a transaction */
export class TransactionRefusedError extends TorPlusError {
  static name = 'TransactionRefusedError'
  readonly code = 'ERR_TRANSACTION_REFUSED'
  readonly resultCodes: { transaction: string, operations?: string[] }

  constructor (what: string, resultCodes: { transaction: string, operations?: string[] }) {
    super(`Stellar refused ${what}: ${[resultCodes.transaction, ...(resultCodes.operations ?? [])].join(', ')}`)
    this.resultCodes = resultCodes
  }
}

/** Every channel account is leased to a payer with an open tab */
export class ChannelsExhaustedError extends TorPlusError {
  static name = 'ChannelsExhaustedError'
  readonly code = 'ERR_CHANNELS_EXHAUSTED'

  constructor (max: number) {
    super(`all ${max} channel accounts hold open tabs: raise Payments.Channels, or settle with \`torplus payments settle\``)
  }
}

/** The payment service is not running (offline, or Payments not configured) */
export class PaymentsUnavailableError extends TorPlusError {
  static name = 'PaymentsUnavailableError'
  readonly code = 'ERR_PAYMENTS_UNAVAILABLE'

  constructor (reason: string) {
    super(`payments are not available: ${reason}`)
  }
}

/** A peer is not connected and could not be reached for a payment */
export class PeerUnreachableError extends TorPlusError {
  static name = 'PeerUnreachableError'
  readonly code = 'ERR_PEER_UNREACHABLE'

  constructor (peer: string, reason: string) {
    super(`could not reach ${peer} for a payment (${reason}): check that it is connected with \`torplus swarm peers\``)
  }
}

/** A peer answered a payment exchange with something the protocol does not allow there */
export class UnexpectedAnswerError extends TorPlusError {
  static name = 'UnexpectedAnswerError'
  readonly code = 'ERR_UNEXPECTED_ANSWER'
}

/** A tab names a channel account whose key we do not hold */
export class UnknownChannelError extends TorPlusError {
  static name = 'UnknownChannelError'
  readonly code = 'ERR_UNKNOWN_CHANNEL'

  constructor (channel: string) {
    super(`${channel} is not one of our channel accounts: the books name a channel derived from another Stellar seed; restore the repo's keystore/stellar.key`)
  }
}

/** One of our channel accounts is not on the ledger */
export class ChannelAccountMissingError extends TorPlusError {
  static name = 'ChannelAccountMissingError'
  readonly code = 'ERR_CHANNEL_ACCOUNT_MISSING'

  constructor (channel: string) {
    super(`channel account ${channel} does not exist on the ledger: was the ledger reset? Check Payments.Horizon and Payments.Network`)
  }
}

/** A peer that does not speak the payment protocol: a plain bitswap client */
export class PaymentProtocolUnsupportedError extends TorPlusError {
  static name = 'PaymentProtocolUnsupportedError'
  readonly code = 'ERR_PAYMENT_PROTOCOL_UNSUPPORTED'

  constructor (peer: string) {
    super(`${peer} does not speak the payment protocol: it cannot be billed, and is served only what the credit policy gives for free`)
  }
}

/** An offer of attention money to a peer while the last one is still out */
export class AttentionOfferBusyError extends TorPlusError {
  static name = 'AttentionOfferBusyError'
  readonly code = 'ERR_ATTENTION_OFFER_BUSY'

  constructor (peer: string) {
    super(`an offer of attention money to ${peer} is still out: offer again once it is answered`)
  }
}
