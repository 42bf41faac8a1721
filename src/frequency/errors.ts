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
