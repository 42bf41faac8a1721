/**
 * The base of every torplus error: a stable `code` the RPC layer and callers
 * can test, `name` set to the class name, and whether the caller was at fault
 */
export abstract class TorPlusError extends Error {
  abstract readonly code: string

  /** The request was wrong (HTTP 400), rather than the node failing */
  readonly badRequest: boolean = false

  constructor (message: string) {
    super(message)
    this.name = new.target.name
  }
}
