/**
 * Errors of the transports and the address policy
 */

import { TorPlusError } from '../errors.js'

/** A listen address off this machine without Addresses.AllowNonLoopback */
export class NonLoopbackListenError extends TorPlusError {
  static name = 'NonLoopbackListenError'
  readonly code = 'ERR_NON_LOOPBACK_LISTEN'

  constructor (address: string) {
    super(`refusing to listen on ${address} (Addresses.Swarm), which is not a loopback address: it would reveal this machine's IP address to peers; set Addresses.AllowNonLoopback to true if that is really meant`)
  }
}

/** tor sent a control reply that is not in the control-spec grammar */
export class MalformedReplyError extends TorPlusError {
  static name = 'MalformedReplyError'
  readonly code = 'ERR_MALFORMED_TOR_REPLY'

  constructor (line: string) {
    super(`tor sent a malformed control reply line: ${JSON.stringify(line.slice(0, 200))}`)
  }
}

/** The control port could not be reached */
export class TorControlConnectError extends TorPlusError {
  static name = 'TorControlConnectError'
  readonly code = 'ERR_TOR_CONTROL_CONNECT'

  constructor (address: string, reason: string) {
    super(`cannot reach tor's control port at ${address} (${reason}): is tor running? Check Tor.ControlPort, or use Tor.Mode "managed"`)
  }
}

/** tor refused every authentication method we could offer */
export class TorControlAuthError extends TorPlusError {
  static name = 'TorControlAuthError'
  readonly code = 'ERR_TOR_CONTROL_AUTH'

  constructor (detail: string) {
    super(`tor's control port refused authentication (${detail}): set Tor.ControlPassword or Tor.CookieAuthFile`)
  }
}

/** A control command answered with an error status */
export class TorCommandError extends TorPlusError {
  static name = 'TorCommandError'
  readonly code = 'ERR_TOR_COMMAND'
  readonly status: number

  constructor (command: string, status: number, message: string) {
    super(`tor answered ${status} to ${command}: ${message}`)
    this.status = status
  }
}

/** The control connection closed while a command waited */
export class TorControlClosedError extends TorPlusError {
  static name = 'TorControlClosedError'
  readonly code = 'ERR_TOR_CONTROL_CLOSED'

  constructor () {
    super('the connection to tor\'s control port closed: tor stopped or restarted')
  }
}
