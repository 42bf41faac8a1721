/**
 * Errors of DHT operations that the RPC API and the CLI expose
 */
import { TorPlusError } from '../errors.js'

/** The node runs without a DHT */
export class RoutingDisabledError extends TorPlusError {
  static name = 'RoutingDisabledError'
  readonly code = 'ERR_ROUTING_DISABLED'
  readonly badRequest = true

  constructor (why: string) {
    super(`the DHT is off (${why}): start the daemon with Routing.Type "dhtserver" or "dhtclient" to use it`)
  }
}

/** findpeer ended without the peer */
export class PeerNotFoundError extends TorPlusError {
  static name = 'PeerNotFoundError'
  readonly code = 'ERR_NOT_FOUND'

  constructor (peer: string) {
    super(`routing: ${peer} not found: no peer in the DHT knows its address; check that it runs and shares a bootstrap peer with this node`)
  }
}

/** provide of a CID the repo does not hold */
export class NotHeldError extends TorPlusError {
  static name = 'NotHeldError'
  readonly code = 'ERR_NOT_FOUND'
  readonly badRequest = true

  constructor (cid: string) {
    super(`${cid} is not in the local repo, so this node cannot provide it: add or pin it first`)
  }
}
