/**
 * Errors raised while creating or opening a repo
 */

import { TorPlusError } from '../errors.js'

/** Another process holds the repo lock */
export class RepoLockedError extends TorPlusError {
  static name = 'RepoLockedError'
  readonly code = 'ERR_REPO_LOCKED'

  constructor (path: string, holder: string) {
    super(`repo ${path} is locked by ${holder}: stop it (\`torplus shutdown\`) or use another repo (--repo-dir or $TORPLUS_PATH)`)
  }
}

/** No repo at the path */
export class RepoNotInitializedError extends TorPlusError {
  static name = 'RepoNotInitializedError'
  readonly code = 'ERR_REPO_NOT_INITIALIZED'

  constructor (path: string) {
    super(`no torplus repo at ${path}: run \`torplus init\` first`)
  }
}

/** `init` on a path that already holds a repo */
export class RepoExistsError extends TorPlusError {
  static name = 'RepoExistsError'
  readonly code = 'ERR_REPO_EXISTS'

  constructor (path: string) {
    super(`a torplus repo already exists at ${path}: use it, or pick another path with --repo-dir`)
  }
}

/** A block would take the repo past Datastore.StorageMax */
export class StorageQuotaExceededError extends TorPlusError {
  static name = 'StorageQuotaExceededError'
  readonly code = 'ERR_STORAGE_QUOTA_EXCEEDED'

  constructor (used: bigint, max: bigint) {
    super(`storage quota exceeded (${used} of ${max} bytes used): run \`torplus repo gc\` or raise Datastore.StorageMax`)
  }
}

/** keystore/gateway.token is too short to guard the calls that move funds */
export class WeakGatewayTokenError extends TorPlusError {
  static name = 'WeakGatewayTokenError'
  readonly code = 'ERR_WEAK_GATEWAY_TOKEN'

  constructor (file: string, min: number) {
    super(`${file} holds fewer than ${min} characters: anyone could guess it and settle or pay through the payment gateway; delete the file and a new token is made at the next start`)
  }
}

/** A key file others can read: its secret may be known */
export class KeyFileExposedError extends TorPlusError {
  static name = 'KeyFileExposedError'
  readonly code = 'ERR_KEY_FILE_EXPOSED'

  constructor (file: string) {
    super(`${file} is readable by other users: run \`chmod 600 ${file}\` (and if others may have read it, move funds to a new key)`)
  }
}
