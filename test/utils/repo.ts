/**
 * Fresh repos in temporary folders, every port chosen by the OS
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { EPHEMERAL_HTTP_ADDRESSES } from '../../src/devnet/ports.js'
import { initRepo } from '../../src/repo/index.js'

export const EPHEMERAL_ADDRESSES = {
  Swarm: ['/ip4/127.0.0.1/tcp/0'],
  ...EPHEMERAL_HTTP_ADDRESSES
}

export async function tempDir (prefix = 'torplus-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix))
}

/**
 * Create an initialized repo in loopback TCP development mode; extra config
 * sections override the defaults
 */
export async function createRepo (config: Record<string, unknown> = {}): Promise<string> {
  const repoPath = path.join(await tempDir(), 'repo')
  await initRepo(repoPath, { config: { Addresses: EPHEMERAL_ADDRESSES, Swarm: { OnionOnly: false }, ...config } as any })
  return repoPath
}
