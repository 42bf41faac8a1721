/**
 * Errors of the node operations that the RPC API and the CLI expose
 */

import { TorPlusError } from '../errors.js'

/** Not a CID or an /ipfs/ path */
export class InvalidPathError extends TorPlusError {
  static name = 'InvalidPathError'
  readonly code = 'ERR_INVALID_PATH'
  readonly badRequest = true

  constructor (input: string, problem: string) {
    super(`invalid path "${input}": ${problem}; expected <cid>[/path] or /ipfs/<cid>[/path]`)
  }
}

/** A required argument is missing or malformed */
export class InvalidArgumentError extends TorPlusError {
  static name = 'InvalidArgumentError'
  readonly code = 'ERR_INVALID_ARGUMENT'
  readonly badRequest = true
}

/** The content is not in the repo and the node may not fetch it */
export class ContentNotFoundError extends TorPlusError {
  static name = 'ContentNotFoundError'
  readonly code = 'ERR_NOT_FOUND'

  constructor (path: string) {
    super(`${path} is not in the local repo: start the daemon (\`torplus daemon\`) to fetch it from peers`)
  }
}

/** The DAG has no such path, or is not UnixFS where the path needs it */
export class PathNotFoundError extends TorPlusError {
  static name = 'PathNotFoundError'
  readonly code = 'ERR_PATH_NOT_FOUND'
  readonly badRequest = true

  constructor (path: string, problem: string) {
    super(`${path} does not exist: ${problem}`)
  }
}

/** A pin operation named something that is not pinned */
export class NotPinnedError extends TorPlusError {
  static name = 'NotPinnedError'
  readonly code = 'ERR_NOT_PINNED'
  readonly badRequest = true

  constructor (cid: string) {
    super(`${cid} is not pinned: \`torplus pin ls\` lists the pins`)
  }
}

/** A block this node cannot read: an unknown codec or hash, or an identity CID past the limit */
export class UnsupportedBlockError extends TorPlusError {
  static name = 'UnsupportedBlockError'
  readonly code = 'ERR_UNSUPPORTED_BLOCK'
  readonly badRequest = true

  constructor (cid: string, problem: string) {
    super(`cannot read block ${cid.slice(0, 80)}: ${problem}; the DAG cannot be pinned or exported by this node`)
  }
}

/** A block whose bytes do not decode as its codec says */
export class MalformedBlockError extends TorPlusError {
  static name = 'MalformedBlockError'
  readonly code = 'ERR_MALFORMED_BLOCK'
  readonly badRequest = true

  constructor (cid: string, problem: string) {
    super(`block ${cid} is malformed: ${problem}; the DAG cannot be pinned or exported`)
  }
}

/** A directory entry whose name would leave the directory when written out */
export class UnsafeEntryNameError extends TorPlusError {
  static name = 'UnsafeEntryNameError'
  readonly code = 'ERR_UNSAFE_ENTRY_NAME'
  readonly badRequest = true

  constructor (directory: string, name: string) {
    super(`directory ${directory} has an entry named ${JSON.stringify(name.slice(0, 100))}, which is not a plain file name; it is not saved`)
  }
}
