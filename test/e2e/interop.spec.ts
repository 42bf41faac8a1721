/**
 * Bitswap between two torplus daemons, and from a torplus daemon to an
 * unmodified Helia node, on loopback TCP
 */
import crypto from 'node:crypto'
import { unixfs } from '@helia/unixfs'
import { multiaddr } from '@multiformats/multiaddr'
import { expect } from 'aegir/chai'
import { type CID } from 'multiformats/cid'
import { startDaemon } from '../utils/daemon.js'
import { createPlainHelia } from '../utils/helia.js'
import { createRepo } from '../utils/repo.js'
import type { RunningDaemon } from '../utils/daemon.js'

const SIZE = 32 * 1024 * 1024

describe('bitswap interop', function () {
  this.timeout(180_000)
  let provider: RunningDaemon
  let fetcher: RunningDaemon
  let cid: CID
  let digest: string

  before(async () => {
    [provider, fetcher] = await Promise.all([startDaemon(await createRepo()), startDaemon(await createRepo())])
    const content = crypto.randomBytes(SIZE)
    digest = crypto.createHash('sha256').update(content).digest('hex')
    cid = (await provider.client.add(content)).cid
  })

  after(async () => {
    await Promise.all([provider?.stop(), fetcher?.stop()])
  })

  async function hashOf (chunks: AsyncIterable<Uint8Array>): Promise<{ digest: string, size: number }> {
    const hash = crypto.createHash('sha256')
    let size = 0

    for await (const chunk of chunks) {
      hash.update(chunk)
      size += chunk.byteLength
    }

    return { digest: hash.digest('hex'), size }
  }

  it('moves 32 MiB between two torplus daemons', async () => {
    await fetcher.client.swarm.connect(multiaddr(provider.multiaddrs[0]))
    const received = await hashOf(fetcher.client.cat(cid))

    expect(received.size).to.equal(SIZE)
    expect(received.digest).to.equal(digest)

    const metrics = await (await fetch(`${provider.apiUrl}/debug/metrics/prometheus`)).text()
    const sent = Number(/^torplus_bitswap_bytes_sent_total (\d+)$/m.exec(metrics)?.[1])
    expect(sent).to.be.at.least(SIZE)
  })

  it('serves 32 MiB to an unmodified Helia node', async () => {
    const helia = await createPlainHelia()

    try {
      await helia.libp2p.dial(multiaddr(provider.multiaddrs[0]))
      const received = await hashOf(unixfs(helia).cat(cid, { signal: AbortSignal.timeout(120_000) }))

      expect(received.size).to.equal(SIZE)
      expect(received.digest).to.equal(digest)
    } finally {
      await helia.stop()
    }
  })
})
