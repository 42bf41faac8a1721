/**
 * Errors raised while reading, validating or changing the repo config
 */

export class ConfigError extends Error {
  static name = 'ConfigError'
  readonly code: string = 'ERR_CONFIG'

  constructor (message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** A key that the schema does not know */
export class UnknownConfigKeyError extends ConfigError {
  static name = 'UnknownConfigKeyError'
  readonly code = 'ERR_UNKNOWN_CONFIG_KEY'

  constructor (key: string) {
    super(`unknown config key "${key}": run \`torplus config show\` to list the keys`)
    this.name = 'UnknownConfigKeyError'
  }
}

/** A key whose value has the wrong type or is out of range */
export class InvalidConfigValueError extends ConfigError {
  static name = 'InvalidConfigValueError'
  readonly code = 'ERR_INVALID_CONFIG_VALUE'

  constructor (key: string, problem: string) {
    super(`invalid value for config key "${key}": ${problem}`)
    this.name = 'InvalidConfigValueError'
  }
}

/** The config file is not valid JSON or fails validation as a whole */
export class CorruptConfigError extends ConfigError {
  static name = 'CorruptConfigError'
  readonly code = 'ERR_CORRUPT_CONFIG'

  constructor (file: string, problem: string) {
    super(`config file ${file} is unreadable (${problem}): fix it by hand or restore it from a backup; torplus will not overwrite it`)
    this.name = 'CorruptConfigError'
  }
}
