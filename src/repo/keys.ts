/**
 * The node's libp2p identity, kept in keystore/ with mode 0600
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

export const KEYSTORE_DIR = 'keystore'
const IDENTITY_FILE = 'identity.key'

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
  const file = path.join(repoPath, KEYSTORE_DIR, IDENTITY_FILE)
  const stat = await fs.stat(file)

  if ((stat.mode & 0o077) !== 0) {
    throw new Error(`${file} is readable by other users: run \`chmod 600 ${file}\``)
  }

  return privateKeyFromProtobuf(await fs.readFile(file))
}
