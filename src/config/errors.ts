/**
 * Errors raised while reading, validating or changing the repo config
 */

import { TorPlusError } from '../errors.js'

/** A key that the schema does not know */
export class UnknownConfigKeyError extends TorPlusError {
  static name = 'UnknownConfigKeyError'
  readonly code = 'ERR_UNKNOWN_CONFIG_KEY'
  readonly badRequest = true

  constructor (key: string) {
    super(`unknown config key "${key}": run \`torplus config show\` to list the keys`)
  }
}

/** A key whose value has the wrong type or is out of range */
export class InvalidConfigValueError extends TorPlusError {
  static name = 'InvalidConfigValueError'
  readonly code = 'ERR_INVALID_CONFIG_VALUE'
  readonly badRequest = true

  constructor (key: string, problem: string) {
    super(`invalid value for config key "${key}": ${problem}`)
  }
}

/** The config file is not valid JSON or fails validation as a whole */
export class CorruptConfigError extends TorPlusError {
  static name = 'CorruptConfigError'
  readonly code = 'ERR_CORRUPT_CONFIG'

  constructor (file: string, problem: string) {
    super(`config file ${file} is unreadable (${problem}): fix it by hand or restore it from a backup; torplus will not overwrite it`)
  }
}
