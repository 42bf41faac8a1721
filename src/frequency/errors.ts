/**
 * Errors of popularity tracking
 */
import { TorPlusError } from '../errors.js'

/** The tracker's snapshot cannot be read: it is not one, or was cut short */
export class CorruptSnapshotError extends TorPlusError {
  static name = 'CorruptSnapshotError'
  readonly code = 'ERR_CORRUPT_SNAPSHOT'

  constructor (file: string, reason: string) {
    super(`The popularity snapshot in ${file} is unreadable (${reason}); the tracker starts empty and writes a new one`)
  }
}

/** Popularity tracking is off in the config */
export class FrequencyDisabledError extends TorPlusError {
  static name = 'FrequencyDisabledError'
  readonly code = 'ERR_FREQUENCY_DISABLED'
  readonly badRequest = true

  constructor () {
    super('Popularity tracking is off: set Frequency.Enabled to true (`torplus config Frequency.Enabled true --json`) and restart the daemon')
  }
}

/** A peer asked for our popular list again too soon, or too many did */
export class PopularRateLimitedError extends TorPlusError {
  static name = 'PopularRateLimitedError'
  readonly code = 'ERR_POPULAR_RATE_LIMITED'

  constructor (peer: string) {
    super(`${peer} asked for the popular list too soon after its last request, or too many peers asked this minute`)
  }
}

/** A peer's popular list broke the protocol's limits */
export class InvalidPopularListError extends TorPlusError {
  static name = 'InvalidPopularListError'
  readonly code = 'ERR_INVALID_POPULAR_LIST'

  constructor (peer: string, reason: string) {
    super(`the popular list of ${peer} is invalid: ${reason}`)
  }
}

/** Asking peers needs the running node */
export class FrequencyOfflineError extends TorPlusError {
  static name = 'FrequencyOfflineError'
  readonly code = 'ERR_FREQUENCY_OFFLINE'
  readonly badRequest = true

  constructor () {
    super('Asking peers for their lists needs the running node: start the daemon (`torplus daemon`)')
  }
}

/** A fill round is under way already */
export class FillRunningError extends TorPlusError {
  static name = 'FillRunningError'
  readonly code = 'ERR_FILL_RUNNING'
  readonly badRequest = true

  constructor () {
    super('A fill round is running already (started by the daemon\'s Fill.Interval or another command): wait for it, `torplus fill ls` shows when it ends')
  }
}
