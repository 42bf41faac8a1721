/**
 * Child processes of a process, read from /proc
 */
import fs from 'node:fs/promises'
import path from 'node:path'

export async function childPids (pid: number): Promise<number[]> {
  const tasks = await fs.readdir(`/proc/${pid}/task`)
  const lists = await Promise.all(tasks.map(async task => fs.readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')))
  return lists.join(' ').split(/\s+/).filter(Boolean).map(Number)
}

export async function commandOf (pid: number): Promise<string> {
  return (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')[0]
}

/** The tor processes a daemon runs as its children */
export async function torChildrenOf (pid: number): Promise<number[]> {
  const tors: number[] = []

  for (const child of await childPids(pid)) {
    if (path.basename(await commandOf(child)) === 'tor') {
      tors.push(child)
    }
  }

  return tors
}
