/**
 * Errors of the HTTP servers: RPC API, gateways, the devnet ledger
 */

import { TorPlusError } from '../errors.js'

/** The configured port is taken */
export class PortInUseError extends TorPlusError {
  static name = 'PortInUseError'
  readonly code = 'ERR_PORT_IN_USE'

  constructor (what: string, address: string, key: string) {
    super(`cannot listen for the ${what} on ${address}: the port is in use; stop what holds it or change ${key} (\`torplus config set ${key} /ip4/127.0.0.1/tcp/<port>\`)`)
  }
}

/** A non-loopback address without Addresses.AllowNonLoopback */
export class NonLoopbackAddressError extends TorPlusError {
  static name = 'NonLoopbackAddressError'
  readonly code = 'ERR_NON_LOOPBACK_ADDRESS'

  constructor (what: string, address: string, key: string) {
    super(`refusing to serve the ${what} on ${address} (${key}), which is not a loopback address: anyone who reaches it controls the node; set Addresses.AllowNonLoopback to true if that is really meant`)
  }
}

/** An HTTP server address that is not /ip4|ip6/<address>/tcp/<port> */
export class UnsupportedHttpAddressError extends TorPlusError {
  static name = 'UnsupportedHttpAddressError'
  readonly code = 'ERR_UNSUPPORTED_HTTP_ADDRESS'

  constructor (what: string, address: string, key: string) {
    super(`cannot serve the ${what} on ${address} (${key}): it must be /ip4/<address>/tcp/<port> or /ip6/<address>/tcp/<port>, e.g. \`torplus config set ${key} /ip4/127.0.0.1/tcp/<port>\``)
  }
}
