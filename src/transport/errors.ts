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

  constructor (line: string, problem?: string) {
    super(`tor sent a malformed control reply line${problem == null ? '' : ` (${problem})`}: ${JSON.stringify(line.slice(0, 200))}`)
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

/** tor's SocksPort could not be reached at all */
export class TorSocksUnreachableError extends TorPlusError {
  static name = 'TorSocksUnreachableError'
  readonly code = 'ERR_TOR_SOCKS_UNREACHABLE'

  constructor (address: string, reason: string) {
    super(`cannot reach tor's SocksPort at ${address} (${reason}): is tor running? Check Tor.SocksPort`)
  }
}

/** SOCKS5 reply 0x04: tor found no way to the onion (no descriptor, introduction failed) */
export class OnionHostUnreachableError extends TorPlusError {
  static name = 'OnionHostUnreachableError'
  readonly code = 'ERR_ONION_HOST_UNREACHABLE'

  constructor (target: string) {
    super(`tor could not reach ${target}: the onion service is unknown or offline (no descriptor, or its introduction points failed)`)
  }
}

/** SOCKS5 reply 0x06: tor gave up waiting for the circuit */
export class OnionTtlExpiredError extends TorPlusError {
  static name = 'OnionTtlExpiredError'
  readonly code = 'ERR_ONION_TTL_EXPIRED'

  constructor (target: string) {
    super(`tor timed out building a circuit to ${target}: the service may be overloaded or the tor network slow; try again`)
  }
}

/** SOCKS5 reply 0x05: the service is up, but nothing listens on that port */
export class OnionConnectionRefusedError extends TorPlusError {
  static name = 'OnionConnectionRefusedError'
  readonly code = 'ERR_ONION_CONNECTION_REFUSED'

  constructor (target: string) {
    super(`${target} refused the connection: the onion service is up but does not serve that port`)
  }
}

/** SOCKS5 reply 0x01, or any other refusal */
export class SocksFailureError extends TorPlusError {
  static name = 'SocksFailureError'
  readonly code = 'ERR_SOCKS_FAILURE'

  constructor (target: string, reply: string) {
    super(`tor could not connect to ${target} (SOCKS5 reply ${reply})`)
  }
}

/** No tor binary to run */
export class TorNotInstalledError extends TorPlusError {
  static name = 'TorNotInstalledError'
  readonly code = 'ERR_TOR_NOT_INSTALLED'

  constructor (torPath: string) {
    super(`cannot run "${torPath}": tor is not installed; install it (\`apt-get install tor\` on Debian or Ubuntu) or set Tor.Path`)
  }
}

/** tor did not finish bootstrapping in time */
export class TorBootstrapTimeoutError extends TorPlusError {
  static name = 'TorBootstrapTimeoutError'
  readonly code = 'ERR_TOR_BOOTSTRAP_TIMEOUT'

  constructor (timeout: number, progress: number, summary: string, log: string) {
    super(`tor did not bootstrap within ${timeout} ms (stuck at ${progress}%: ${summary}): see ${log}`)
  }
}

/** The tor process exited while starting */
export class TorExitedError extends TorPlusError {
  static name = 'TorExitedError'
  readonly code = 'ERR_TOR_EXITED'

  constructor (code: number | null, log: string) {
    super(`tor exited with code ${code} while starting: see ${log}`)
  }
}

/** A listen address that is not this node's onion */
export class OnionListenAddressError extends TorPlusError {
  static name = 'OnionListenAddressError'
  readonly code = 'ERR_ONION_LISTEN_ADDRESS'

  constructor (address: string, own: string) {
    super(`cannot listen on ${address}: this node's onion address is ${own}; fix Addresses.Swarm`)
  }
}

/** tor is used before it started, or while it is being restarted */
export class TorNotRunningError extends TorPlusError {
  static name = 'TorNotRunningError'
  readonly code = 'ERR_TOR_NOT_RUNNING'

  constructor () {
    super('tor is not running: the node starts it (and restarts it if it dies); retry once the node is up')
  }
}
