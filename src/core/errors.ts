/**
 * Errors of the node operations that the RPC API and the CLI expose
 */

export class CoreError extends Error {
  static name = 'CoreError'
  readonly code: string = 'ERR_CORE'
  /** Whether the caller sent something wrong (HTTP 400) rather than the node failing */
  readonly badRequest: boolean = false

  constructor (message: string) {
    super(message)
    this.name = 'CoreError'
  }
}

/** Not a CID or an /ipfs/ path */
export class InvalidPathError extends CoreError {
  static name = 'InvalidPathError'
  readonly code = 'ERR_INVALID_PATH'
  readonly badRequest = true

  constructor (input: string, problem: string) {
    super(`invalid path "${input}": ${problem}; expected <cid>[/path] or /ipfs/<cid>[/path]`)
    this.name = 'InvalidPathError'
  }
}

/** A required argument is missing or malformed */
export class InvalidArgumentError extends CoreError {
  static name = 'InvalidArgumentError'
  readonly code = 'ERR_INVALID_ARGUMENT'
  readonly badRequest = true

  constructor (message: string) {
    super(message)
    this.name = 'InvalidArgumentError'
  }
}

/** The content is not in the repo and the node is offline */
export class ContentNotFoundError extends CoreError {
  static name = 'ContentNotFoundError'
  readonly code = 'ERR_NOT_FOUND'

  constructor (path: string, offline: boolean) {
    super(offline
      ? `${path} is not in the local repo: start the daemon (\`torplus daemon\`) to fetch it from peers`
      : `${path} was not found within the time allowed: check that a peer that has it is connected (\`torplus swarm peers\`)`)
    this.name = 'ContentNotFoundError'
  }
}

/** A pin operation named something that is not pinned */
export class NotPinnedError extends CoreError {
  static name = 'NotPinnedError'
  readonly code = 'ERR_NOT_PINNED'
  readonly badRequest = true

  constructor (cid: string) {
    super(`${cid} is not pinned: \`torplus pin ls\` lists the pins`)
    this.name = 'NotPinnedError'
  }
}
