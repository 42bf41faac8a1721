/**
 * The repo lock: one process at a time opens a repo. proper-lockfile keeps the
 * lock fresh; an owner file names the holder for the error a second process sees.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import lockfile from 'proper-lockfile'
import { isAlive } from '../utils/processes.js'
import { RepoLockedError } from './errors.js'

export const LOCK_FILE = 'repo.lock'
const OWNER_FILE = 'repo.lock.owner'

export interface LockOwner {
  pid: number
  command: string
  since: string
}

export interface RepoLock {
  release(): Promise<void>
}

/**
 * Take the lock on the repo at `repoPath`, or throw `RepoLockedError`
 */
export async function lockRepo (repoPath: string, command: string): Promise<RepoLock> {
  const lockfilePath = path.join(repoPath, LOCK_FILE)
  const ownerFile = path.join(repoPath, OWNER_FILE)

  await removeDeadOwnersLock(lockfilePath, ownerFile)

  let release: () => Promise<void>

  try {
    release = await lockfile.lock(repoPath, {
      lockfilePath,
      stale: 10_000,
      update: 2_000,
      realpath: false,
      // another process judged us dead and took over; throwing from a timer
      // would only crash us, and our owner file no longer names the holder
      onCompromised: () => {}
    })
  } catch (err: any) {
    if (err.code === 'ELOCKED') {
      throw new RepoLockedError(repoPath, await describeOwner(ownerFile))
    }

    throw err
  }

  const owner: LockOwner = { pid: process.pid, command, since: new Date().toISOString() }
  await fs.writeFile(ownerFile, JSON.stringify(owner), { mode: 0o600 })

  return {
    async release () {
      await fs.rm(ownerFile, { force: true })
      await release()
    }
  }
}

/**
 * Read who holds the lock, if anyone says so
 */
export async function readLockOwner (repoPath: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(repoPath, OWNER_FILE), 'utf8'))
  } catch {
    return undefined
  }
}

async function describeOwner (ownerFile: string): Promise<string> {
  try {
    const owner: LockOwner = JSON.parse(await fs.readFile(ownerFile, 'utf8'))
    return `\`torplus ${owner.command}\` (pid ${owner.pid}, since ${owner.since})`
  } catch {
    return 'another process'
  }
}

/**
 * A process killed with SIGKILL leaves its lock behind for `stale` ms; when the
 * owner pid is gone the lock is dead at once, so the next command need not wait
 */
async function removeDeadOwnersLock (lockfilePath: string, ownerFile: string): Promise<void> {
  let owner: LockOwner

  try {
    owner = JSON.parse(await fs.readFile(ownerFile, 'utf8'))
  } catch {
    return
  }

  if (owner.pid === process.pid || isAlive(owner.pid)) {
    return
  }

  await fs.rm(lockfilePath, { recursive: true, force: true })
  await fs.rm(ownerFile, { force: true })
}
