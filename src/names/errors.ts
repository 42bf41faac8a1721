/**
 * Errors of name resolution that the resolver API, the proxy and the CLI expose
 */
import { TorPlusError } from '../errors.js'

/** The name is not one TorPlus resolves */
export class NotATorPlusNameError extends TorPlusError {
  static name = 'NotATorPlusNameError'
  readonly code = 'ERR_NOT_A_TORPLUS_NAME'
  readonly badRequest = true

  constructor (target: string) {
    super(`${target.slice(0, 300)} is not a TorPlus name: expected torplus.<domain>, <name>.eth or http://sites.torplus.com/#<keyword>`)
  }
}

/** The name has no onion: no such name, or no valid record of ours */
export class NameNotFoundError extends TorPlusError {
  static name = 'NameNotFoundError'
  readonly code = 'ERR_NAME_NOT_FOUND'

  constructor (name: string, why: string) {
    super(`${name} names no TorPlus site: ${why}`)
  }
}

/** A DNS or JSON-RPC server failed, or answered what cannot be read */
export class NameServerError extends TorPlusError {
  static name = 'NameServerError'
  readonly code = 'ERR_NAME_SERVER'

  constructor (server: URL | string, why: string) {
    super(`the name server ${typeof server === 'string' ? server : server.origin} ${why}`)
  }
}

/** A lookup took longer than Names.Timeout */
export class NameLookupTimeoutError extends TorPlusError {
  static name = 'NameLookupTimeoutError'
  readonly code = 'ERR_NAME_LOOKUP_TIMEOUT'

  constructor (name: string, timeout: number) {
    super(`looking up ${name} took more than ${timeout} ms: try again, or raise Names.Timeout`)
  }
}

/** No way to look the name up is configured */
export class NameLookupUnavailableError extends TorPlusError {
  static name = 'NameLookupUnavailableError'
  readonly code = 'ERR_NAME_LOOKUP_UNAVAILABLE'
}

/** A host that cannot stand for another name */
export class InvalidAliasError extends TorPlusError {
  static name = 'InvalidAliasError'
  readonly code = 'ERR_INVALID_ALIAS'
  readonly badRequest = true

  constructor (host: string) {
    super(`${host.slice(0, 300)} cannot stand for another name: it is empty or a TorPlus name itself (a host such as sites.torplus.com can)`)
  }
}
