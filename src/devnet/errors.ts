/**
 * Errors of the local development network
 */

import { TorPlusError } from '../errors.js'

/** `devnet up` where a devnet still runs */
export class DevnetRunningError extends TorPlusError {
  static name = 'DevnetRunningError'
  readonly code = 'ERR_DEVNET_RUNNING'

  constructor (dir: string) {
    super(`a devnet is already running in ${dir}: stop it with \`torplus devnet down --dir ${dir}\``)
  }
}

/** A devnet daemon that did not come up */
export class DevnetNodeError extends TorPlusError {
  static name = 'DevnetNodeError'
  readonly code = 'ERR_DEVNET_NODE'

  constructor (name: string, problem: string, logFile: string) {
    super(`${name} did not start: ${problem} (see ${logFile})`)
  }
}

/** The private tor network did not reach a consensus listing every relay */
export class TorNetworkError extends TorPlusError {
  static name = 'TorNetworkError'
  readonly code = 'ERR_TOR_NETWORK'

  constructor (problem: string, diagnostics: string[]) {
    super([problem, ...diagnostics.map(line => `  ${line}`)].join('\n'))
  }
}
