/**
 * One benchmark node in its own process, driven over IPC by transfer.ts:
 * either a torplus daemon (the real startDaemon on a repo) or a plain Helia
 * node with the same kind of blockstore (blockstore-fs)
 */
import path from 'node:path'
import { unixfs } from '@helia/unixfs'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { PROFILES } from '../src/config/index.js'
import { startDaemon } from '../src/daemon.js'
import { EPHEMERAL_HTTP_ADDRESSES } from '../src/devnet/ports.js'
import { initRepo } from '../src/repo/index.js'
import { createPlainHelia } from '../test/utils/helia.js'
import { deterministic } from './content.js'
import type { Helia } from '@helia/interface'
import type { UnixFS } from '@helia/unixfs'
import type { Libp2p } from '@libp2p/interface'

const [kind, dir] = process.argv.slice(2)

interface BenchNode {
  helia: Helia & { libp2p: Libp2p }
  fs: UnixFS
  stop(): Promise<void>
}

async function create (): Promise<BenchNode> {
  if (kind === 'torplus') {
    const repoPath = path.join(dir, 'repo')
    // loopback TCP, as the plain Helia node it is measured against
    await initRepo(repoPath, { config: { ...PROFILES.loopback.config, Addresses: { Swarm: ['/ip4/127.0.0.1/tcp/0'], ...EPHEMERAL_HTTP_ADDRESSES } } as any })
    const daemon = await startDaemon({ repoPath })
    return { helia: daemon.node.helia, fs: daemon.node.fs, stop: daemon.stop }
  }

  const helia = await createPlainHelia({ blocksDir: path.join(dir, 'blocks') })
  return { helia, fs: unixfs(helia), stop: async () => { await helia.stop() } }
}

async function drain (fs: UnixFS, cid: CID): Promise<number> {
  let bytes = 0

  for await (const chunk of fs.cat(cid, { signal: AbortSignal.timeout(300_000) })) {
    bytes += chunk.byteLength
  }

  return bytes
}

const node = await create()

const commands: Record<string, (...args: any[]) => Promise<unknown>> = {
  addrs: async () => node.helia.libp2p.getMultiaddrs().map(String),
  add: async (size: number, seed: number) => (await node.fs.addByteStream(deterministic(size, seed))).toString(),
  addMany: async (count: number, size: number, seed: number) => {
    const cids: string[] = []

    for (let i = 0; i < count; i++) {
      cids.push((await node.fs.addByteStream(deterministic(size, seed * 100_000 + i))).toString())
    }

    return cids
  },
  dial: async (address: string) => { await node.helia.libp2p.dial(multiaddr(address)) },
  fetch: async (cid: string) => drain(node.fs, CID.parse(cid)),
  fetchMany: async (cids: string[]) => {
    let bytes = 0

    for (const cid of cids) {
      bytes += await drain(node.fs, CID.parse(cid))
    }

    return bytes
  },
  maxRss: async () => process.resourceUsage().maxRSS * 1024,
  stop: async () => {
    await node.stop()
    setImmediate(() => process.exit(0))
  }
}

process.on('message', (message: { id: number, command: string, args: unknown[] }) => {
  commands[message.command](...message.args).then(
    (result) => process.send?.({ id: message.id, result }),
    (err: Error) => process.send?.({ id: message.id, error: err.stack ?? err.message })
  )
})

// the bench that forked us went away (killed, perhaps): so do we
process.on('disconnect', () => {
  void node.stop().finally(() => process.exit(1))
})

process.send?.({ ready: true })
