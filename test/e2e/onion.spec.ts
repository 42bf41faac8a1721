/**
 * Two daemons in onion-only mode on a private tor network: content moves over
 * the onion transport alone, and no IP address is used or learnt
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { expect } from 'aegir/chai'
import pWaitFor from 'p-wait-for'
import { EPHEMERAL_HTTP_ADDRESSES } from '../../src/devnet/ports.js'
import { TorNetwork } from '../../src/devnet/tor-network.js'
import { initRepo } from '../../src/repo/index.js'
import { startDaemon } from '../utils/daemon.js'
import { torChildrenOf } from '../utils/processes.js'
import { tempDir } from '../utils/repo.js'
import { expectLoopbackOnly } from '../utils/sockets.js'
import type { RunningDaemon } from '../utils/daemon.js'
import type { CID } from 'multiformats/cid'

const SIZE = 16 * 1024 * 1024

describe('daemons over onion only', function () {
  this.timeout(300_000)
  let network: TorNetwork
  let provider: RunningDaemon
  let fetcher: RunningDaemon
  let providerRepo: string
  let cid: CID
  let digest: string

  async function onionRepo (): Promise<string> {
    const repo = path.join(await tempDir(), 'repo')
    await initRepo(repo, {
      config: {
        Addresses: EPHEMERAL_HTTP_ADDRESSES,
        Tor: { ExtraConfig: network.clientConfig() }
      } as any
    })
    return repo
  }

  before(async () => {
    network = new TorNetwork({ dir: path.join(await tempDir('torplus-e2e-onion-'), 'network'), logger: defaultLogger() })
    await network.start()
    providerRepo = await onionRepo()
    ;[provider, fetcher] = await Promise.all([startDaemon(providerRepo, { timeout: 120_000 }), startDaemon(await onionRepo(), { timeout: 120_000 })])

    const content = crypto.randomBytes(SIZE)
    digest = crypto.createHash('sha256').update(content).digest('hex')
    cid = (await provider.client.add(content)).cid
  })

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      process.stderr.write(`--- provider output\n${provider?.output()}\n--- fetcher output\n${fetcher?.output()}\n`)
    }
  })

  after(async () => {
    await Promise.all([provider?.stop(), fetcher?.stop()])
    await network?.stop()
  })

  it('says what it waits for when no terminal shows a bar: tor bootstrap steps, tor ready, then its onion address', () => {
    const lines = provider.output().split('\n')
    const at = (pattern: RegExp): number => lines.findIndex(line => pattern.test(line))
    const steps = lines.filter(line => /^tor bootstrap: \d+%/.test(line))

    expect(steps.length).to.be.greaterThan(1)
    expect(steps[steps.length - 1]).to.match(/^tor bootstrap: 100% \(Done\)$/)
    expect(at(/^tor is ready \(SOCKS 127\.0\.0\.1:\d+\); publishing the onion service$/)).to.be.greaterThan(at(/^tor bootstrap: 100%/))
    expect(at(/^Swarm listening on \/onion3\//)).to.be.greaterThan(at(/^tor is ready/))
    expect(at(/^Daemon is ready$/)).to.be.greaterThan(at(/^Swarm listening on/))
  })

  it('announces its onion address only', () => {
    expect(provider.multiaddrs).to.have.lengthOf(1)
    expect(provider.multiaddrs[0]).to.match(new RegExp(`^/onion3/[a-z2-7]{56}:4101/p2p/${provider.peerId}$`))
  })

  it('moves 16 MiB over the onion transport, with no socket off this machine', async () => {
    await fetcher.client.swarm.connect(multiaddr(provider.multiaddrs[0]))

    const hash = crypto.createHash('sha256')
    let size = 0
    let checked = 0

    for await (const chunk of fetcher.client.cat(cid)) {
      hash.update(chunk)
      size += chunk.byteLength

      // look at both daemons' sockets while the transfer runs
      if (size > checked + 4 * 1024 * 1024) {
        checked = size
        await expectLoopbackOnly(provider.process.pid ?? 0)
        await expectLoopbackOnly(fetcher.process.pid ?? 0)
      }
    }

    expect(size).to.equal(SIZE)
    expect(hash.digest('hex')).to.equal(digest)
    expect(checked).to.be.greaterThan(0)

    const peers = await fetcher.client.swarm.peers()
    const toProvider = peers.filter(peer => peer.peer.toString() === provider.peerId)
    expect(toProvider.map(peer => peer.addr.toString())).to.not.be.empty()

    for (const peer of toProvider) {
      expect(peer.addr.toString()).to.match(/^\/onion3\//)
    }
  })

  it('keeps onion addresses only in the peer store and identify', async () => {
    const known = await provider.client.id({ peerId: (await fetcher.client.id()).id })
    expect(known.addresses.map(String)).to.not.be.empty()

    for (const address of known.addresses) {
      expect(address.toString()).to.match(/^\/onion3\//)
    }

    const own = await fetcher.client.id()
    expect(own.addresses.map(String)).to.deep.equal(fetcher.multiaddrs)
  })

  it('restarts a killed tor, and the peers it lost reconnect without help', async () => {
    const tors = await torChildrenOf(provider.process.pid ?? 0)
    expect(tors).to.have.lengthOf(1)

    // the fetcher dialled the provider; after tor's restart the provider
    // dials back the fetcher that it learnt through identify. Read Kubo's
    // Direction (1 inbound, 2 outbound) raw: kubo-rpc-client maps it wrongly
    const directionsToProvider = async (): Promise<number[]> => {
      const response = await fetch(`${fetcher.apiUrl}/api/v0/swarm/peers?direction=true`, { method: 'POST' })
      const { Peers } = await response.json() as { Peers: Array<{ Peer: string, Direction: number }> }
      return Peers.filter(peer => peer.Peer === provider.peerId).map(peer => peer.Direction)
    }
    expect(await directionsToProvider()).to.deep.equal([2])
    process.kill(tors[0], 'SIGKILL')
    await pWaitFor(async () => (await directionsToProvider()).join() === '1', { interval: 500, timeout: 120_000 })

    const content = crypto.randomBytes(64 * 1024)
    const { cid: fresh } = await provider.client.add(content)
    const chunks = []

    for await (const chunk of fetcher.client.cat(fresh, { signal: AbortSignal.timeout(60_000) })) {
      chunks.push(chunk)
    }

    expect(Buffer.concat(chunks).equals(content)).to.be.true()
  })

  it('keeps its onion address across a restart', async () => {
    const before = provider.multiaddrs[0]
    await provider.stop()
    provider = await startDaemon(providerRepo, { timeout: 120_000 })

    expect(provider.multiaddrs[0]).to.equal(before)
  })
})
