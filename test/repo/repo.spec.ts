import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'aegir/chai'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { initRepo, openRepo } from '../../src/repo/index.js'
import { createRepo, tempDir } from '../utils/repo.js'

async function rawBlock (size: number, fill: number): Promise<{ cid: CID, bytes: Uint8Array }> {
  const bytes = new Uint8Array(size).fill(fill)
  return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes }
}

describe('repo', () => {
  it('creates the layout with private identity, onion and Stellar keys', async () => {
    const repoPath = path.join(await tempDir(), 'repo')
    const config = await initRepo(repoPath)

    expect(config.Identity.PeerID).to.match(/^12D3Koo/)
    const entries = await fs.readdir(repoPath)
    expect(entries).to.include.members(['config', 'blocks', 'datastore', 'keystore'])
    for (const key of ['identity.key', 'onion.key', 'stellar.key']) {
      expect((await fs.stat(path.join(repoPath, 'keystore', key))).mode & 0o777, key).to.equal(0o600)
    }
    expect((await fs.stat(path.join(repoPath, 'config'))).mode & 0o777).to.equal(0o600)

    // the same Stellar account every time the repo opens
    const opened: string[] = []

    for (let i = 0; i < 2; i++) {
      const repo = await openRepo(repoPath, { command: 'test' })
      await repo.close()
      opened.push(Buffer.from(repo.stellarSeed).toString('hex'))
    }

    expect(opened[0]).to.have.lengthOf(64).and.equal(opened[1])
  })

  it('refuses to init twice', async () => {
    const repoPath = await createRepo()
    await expect(initRepo(repoPath)).to.eventually.be.rejected.with.property('name', 'RepoExistsError')
  })

  it('lets one process hold the lock and names the holder', async () => {
    const repoPath = await createRepo()
    const repo = await openRepo(repoPath, { command: 'daemon' })

    try {
      await expect(openRepo(repoPath, { command: 'cli' })).to.eventually.be.rejected
        .with.property('message').that.matches(/locked by `torplus daemon` \(pid \d+/)
    } finally {
      await repo.close()
    }

    const again = await openRepo(repoPath, { command: 'cli' })
    await again.close()
  })

  it('takes over the lock of a process that died', async () => {
    const repoPath = await createRepo()
    const repo = await openRepo(repoPath, { command: 'daemon' })
    // what a SIGKILLed holder leaves behind: a fresh lock and an owner that is gone
    await fs.writeFile(path.join(repoPath, 'repo.lock.owner'), JSON.stringify({ pid: 2 ** 22 + 1, command: 'daemon', since: '' }))
    await repo.blockstore.close()
    await repo.datastore.close()

    const next = await openRepo(repoPath, { command: 'cli' })

    try {
      // the lock is ours now, and says so
      const owner = JSON.parse(await fs.readFile(path.join(repoPath, 'repo.lock.owner'), 'utf8'))
      expect(owner).to.include({ pid: process.pid, command: 'cli' })
      expect(next.config.Identity.PeerID).to.equal(repo.config.Identity.PeerID)
    } finally {
      await next.close()
    }
  })

  it('refuses a key file others can read', async () => {
    const repoPath = await createRepo()
    await fs.chmod(path.join(repoPath, 'keystore', 'identity.key'), 0o644)
    await expect(openRepo(repoPath, { command: 'cli' })).to.eventually.be.rejected
      .with.property('message').that.matches(/chmod 600/)
  })

  it('never overwrites a corrupt config', async () => {
    const repoPath = await createRepo()
    await fs.writeFile(path.join(repoPath, 'config'), '{ "Identity": ')
    await expect(openRepo(repoPath, { command: 'cli' })).to.eventually.be.rejected
      .with.property('name', 'CorruptConfigError')
    expect(await fs.readFile(path.join(repoPath, 'config'), 'utf8')).to.equal('{ "Identity": ')
    // the failed open released the lock
    await fs.writeFile(path.join(repoPath, 'config'), '{}')
    await expect(openRepo(repoPath, { command: 'cli' })).to.eventually.be.rejected
      .with.property('name', 'CorruptConfigError')
  })

  it('enforces Datastore.StorageMax and counts what blocks take on disk', async () => {
    // blocks take whole filesystem blocks: 4 KiB here
    const unit = BigInt((await fs.statfs(os.tmpdir())).bsize)
    const repoPath = await createRepo({ Datastore: { StorageMax: Number(unit * 3n) } })
    const repo = await openRepo(repoPath, { command: 'cli' })

    try {
      const a = await rawBlock(10, 1)
      const b = await rawBlock(Number(unit) + 1, 2)
      const c = await rawBlock(1, 3)
      await repo.blockstore.put(a.cid, a.bytes)
      await repo.blockstore.put(b.cid, b.bytes)
      // a duplicate takes no space
      await repo.blockstore.put(a.cid, a.bytes)
      expect(repo.blockstore.stat()).to.deep.equal({ size: unit * 3n, count: 2, max: unit * 3n })

      // a single byte more does not fit: it would take a block of its own
      await expect(repo.blockstore.put(c.cid, c.bytes)).to.eventually.be.rejected
        .with.property('name', 'StorageQuotaExceededError')
      expect(await repo.blockstore.has(c.cid)).to.be.false()

      await repo.blockstore.delete(b.cid)
      await repo.blockstore.put(c.cid, c.bytes)
      expect(repo.blockstore.stat().size).to.equal(unit * 2n)
    } finally {
      await repo.close()
    }

    // the count survives a restart because it is read from the files
    const reopened = await openRepo(repoPath, { command: 'cli' })
    expect(reopened.blockstore.stat()).to.deep.equal({ size: unit * 2n, count: 2, max: unit * 3n })
    await reopened.close()
  })
})
