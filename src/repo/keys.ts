/**
 * The node's libp2p identity, onion service key and Stellar wallet seed, kept
 * in keystore/ with mode 0600
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { createOnionKey } from '../transport/index.js'
import { WeakGatewayTokenError, KeyFileExposedError } from './errors.js'
import type { OnionKey } from '../transport/index.js'
import type { PrivateKey } from '@libp2p/interface'

export const KEYSTORE_DIR = 'keystore'
const IDENTITY_FILE = 'identity.key'
const ONION_FILE = 'onion.key'
const STELLAR_FILE = 'stellar.key'
const GATEWAY_TOKEN_FILE = 'gateway.token'
/** Characters a gateway token needs at least: 128 bits as hex */
const MIN_GATEWAY_TOKEN_LENGTH = 32

/**
 * Create the identity key of a new repo
 */
export async function createIdentity (repoPath: string): Promise<PrivateKey> {
  const dir = path.join(repoPath, KEYSTORE_DIR)
  await fs.mkdir(dir, { recursive: true, mode: 0o700 })

  const key = await generateKeyPair('Ed25519')
  await fs.writeFile(path.join(dir, IDENTITY_FILE), privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })

  return key
}

/**
 * Load the identity key, refusing a key file that others can read
 */
export async function loadIdentity (repoPath: string): Promise<PrivateKey> {
  return privateKeyFromProtobuf(await readPrivate(path.join(repoPath, KEYSTORE_DIR, IDENTITY_FILE)))
}

/**
 * The onion service key, made once so the onion address survives restarts
 */
export async function loadOrCreateOnionKey (repoPath: string): Promise<OnionKey> {
  const file = path.join(repoPath, KEYSTORE_DIR, ONION_FILE)

  try {
    return JSON.parse((await readPrivate(file)).toString('utf8'))
  } catch (err: any) {
    if (err.code !== 'ENOENT') {
      throw err
    }
  }

  const key = createOnionKey()
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  await fs.writeFile(file, JSON.stringify(key), { mode: 0o600, flag: 'wx' })
  return key
}

/**
 * The 32-byte ed25519 seed of the node's Stellar account, made once: the
 * account that pays and is paid
 */
export async function loadOrCreateStellarSeed (repoPath: string): Promise<Uint8Array> {
  return loadOrCreateSecret(path.join(repoPath, KEYSTORE_DIR, STELLAR_FILE), () => randomBytes(32))
}

/**
 * The bearer token the payment gateway wants on every call that moves funds,
 * made once: 64 hex digits in a text file, so `cat` gives it. A blank file
 * (which would let an empty `Bearer` through) gets a new token; a short one
 * is refused.
 */
export async function loadOrCreateGatewayToken (repoPath: string): Promise<string> {
  const file = path.join(repoPath, KEYSTORE_DIR, GATEWAY_TOKEN_FILE)
  const create = (): Uint8Array => Buffer.from(randomBytes(32).toString('hex'))
  let token = Buffer.from(await loadOrCreateSecret(file, create)).toString('utf8').trim()

  if (token === '') {
    const fresh = create()
    await writeAtomically(file, fresh)
    token = Buffer.from(fresh).toString('utf8')
  }

  if (token.length < MIN_GATEWAY_TOKEN_LENGTH) {
    throw new WeakGatewayTokenError(file, MIN_GATEWAY_TOKEN_LENGTH)
  }

  return token
}

/** Replace a 0600 file so that a crash leaves the old content or the new */
async function writeAtomically (file: string, content: Uint8Array): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`
  await fs.writeFile(tmp, content, { mode: 0o600, flag: 'wx' })
  await fs.rename(tmp, file)
}

/** A secret in a 0600 file, made the first time */
async function loadOrCreateSecret (file: string, create: () => Uint8Array): Promise<Uint8Array> {
  try {
    return await readPrivate(file)
  } catch (err: any) {
    if (err.code !== 'ENOENT') {
      throw err
    }
  }

  const secret = create()
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  await fs.writeFile(file, secret, { mode: 0o600, flag: 'wx' })
  return secret
}

async function readPrivate (file: string): Promise<Buffer> {
  const stat = await fs.stat(file)

  if ((stat.mode & 0o077) !== 0) {
    throw new KeyFileExposedError(file)
  }

  return fs.readFile(file)
}
