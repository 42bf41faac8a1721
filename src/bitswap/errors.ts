/**
 * Errors of the bitswap metering
 */

import { TorPlusError } from '../errors.js'

/** A peer's wants are refused by the credit policy until it pays */
export class PaymentRequiredError extends TorPlusError {
  static name = 'PaymentRequiredError'
  readonly code = 'ERR_PAYMENT_REQUIRED'

  constructor (peer: string) {
    super(`bitswap wants from ${peer} are refused until it pays: see \`torplus bitswap ledger\``)
  }
}

/** Helia's bitswap no longer has the internals the delivery meter reads */
export class BitswapInternalsChangedError extends TorPlusError {
  static name = 'BitswapInternalsChangedError'
  readonly code = 'ERR_BITSWAP_INTERNALS_CHANGED'

  constructor () {
    super('cannot find @helia/bitswap\'s network and want list in Helia: its internals changed; install the @helia/bitswap version package-lock.json names, or update src/bitswap/delivery-meter.ts')
  }
}
