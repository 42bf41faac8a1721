/**
 * Errors of publishing and of reaching published sites
 */
import { TorPlusError } from '../errors.js'

/** What `publish` was given cannot be served */
export class InvalidSiteError extends TorPlusError {
  static name = 'InvalidSiteError'
  readonly code = 'ERR_INVALID_SITE'
  readonly badRequest = true
}

/** No published site has that name or id */
export class SiteNotFoundError extends TorPlusError {
  static name = 'SiteNotFoundError'
  readonly code = 'ERR_SITE_NOT_FOUND'
  readonly badRequest = true

  constructor (site: string) {
    super(`no site ${site.slice(0, 300)} is published here: \`torplus publish ls\` lists them`)
  }
}

/** The publishing node would not open the site */
export class SiteRefusedError extends TorPlusError {
  static name = 'SiteRefusedError'
  readonly code = 'ERR_SITE_REFUSED'

  constructor (site: string, status: string, why: string) {
    super(`the node publishing ${site.slice(0, 300)} answered ${status}: ${why.slice(0, 300)}`)
  }
}

/** The publishing node could not be reached */
export class SiteUnreachableError extends TorPlusError {
  static name = 'SiteUnreachableError'
  readonly code = 'ERR_SITE_UNREACHABLE'

  constructor (site: string, why: string) {
    super(`the node publishing ${site.slice(0, 300)} could not be reached: ${why}`)
  }
}

/** The proxy does not reach that host (Proxy.Mode "refuse", or no tor) */
export class ProxyRefusedError extends TorPlusError {
  static name = 'ProxyRefusedError'
  readonly code = 'ERR_PROXY_REFUSED'
}
