/**
 * Errors of the attention book
 */
import { TorPlusError } from '../errors.js'

/** A report for something that is not a TorPlus site, or with a time out of range */
export class InvalidAttentionError extends TorPlusError {
  static name = 'InvalidAttentionError'
  readonly code = 'ERR_INVALID_ATTENTION'
  readonly badRequest = true
}

/** A day already records the most sites it may */
export class AttentionFullError extends TorPlusError {
  static name = 'AttentionFullError'
  readonly code = 'ERR_ATTENTION_FULL'

  constructor (day: string, sites: number) {
    super(`${day} already records attention for ${sites} sites: reports for other sites wait for the next day`)
  }
}

/** Paying for attention was asked for while it is off */
export class AttentionPaymentsOffError extends TorPlusError {
  static name = 'AttentionPaymentsOffError'
  readonly code = 'ERR_ATTENTION_PAYMENTS_OFF'

  constructor () {
    super('paying site owners for attention is off: set Payments.AttentionPricePerMinute above 0 on a node with payments (Payments.Asset and a funded account), and restart it')
  }
}
