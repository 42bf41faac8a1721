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
