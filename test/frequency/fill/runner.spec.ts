/**
 * A fill round on stand-in ports: what it buys and from whom, what it does
 * with a DAG larger than its root says, its spending limit, a dry run, a
 * later round that lets go of what demand left, one round at a time
 */
import crypto from 'node:crypto'
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import { MemoryDatastore } from 'datastore-core'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { CustomProgressEvent } from 'progress-events'
import { FillRunner } from '../../../src/frequency/index.js'
import type { FillComponents, FillInit, PopularList } from '../../../src/frequency/index.js'

const MIB = 1024n * 1024n

async function cid (): Promise<CID> {
  return CID.createV1(0x70, await sha256.digest(crypto.randomBytes(32)))
}

interface World {
  lists: Map<string, Array<{ cid: CID, requesters: number }>>
  /** Who provides what */
  providers: Map<string, string[]>
  /** Declared sizes, and the sizes the DAGs really have */
  sizes: Map<string, bigint>
  real: Map<string, bigint>
  fetchedFrom: Map<string, string[]>
  pinned: Set<string>
  spent: bigint
  used: bigint
  max: bigint
  own: Map<string, number>
}

function components (world: World): FillComponents {
  return {
    network: {
      reporters: async () => [...world.lists.keys(), 'silent'],
      ask: async (peer) => {
        const entries = world.lists.get(peer)

        if (entries == null) {
          throw new Error('no list')
        }

        return { snapshotTime: 1, halfLife: 1, notModified: false, malformed: 0, entries: entries.map(entry => ({ ...entry, rootConfirmed: true, held: false })) } satisfies PopularList
      },
      moneyWith: (peer) => peer.startsWith('paid') ? 1_000_000n : 0n,
      providers: async (item, options) => (world.providers.get(item.toString()) ?? []).filter(peer => !options.exclude.has(peer)).slice(0, options.limit)
    },
    storage: {
      stat: () => ({ used: world.used, max: world.max }),
      pinned: async (item) => world.pinned.has(item.toString())
    },
    fetcher: {
      root: async (item) => ({ size: world.sizes.get(item.toString()) ?? 0n, cid: item }),
      fetch: async (item, options) => {
        world.fetchedFrom.set(item.toString(), options.providers)
        const size = world.real.get(item.toString()) ?? world.sizes.get(item.toString()) ?? 0n
        let bytes = 0n

        while (bytes < size) {
          options.signal?.throwIfAborted()
          const chunk = size - bytes < MIB ? size - bytes : MIB
          bytes += chunk
          world.spent += chunk / 1024n
          options.onBlock?.(Number(chunk))

          if (bytes > options.maxBytes) {
            throw new Error('over its declared size')
          }
        }

        world.used += bytes
        return bytes
      },
      pin: async (item) => { world.pinned.add(item.toString()) },
      unpin: async (item) => {
        world.pinned.delete(item.toString())
        const size = world.real.get(item.toString()) ?? world.sizes.get(item.toString()) ?? 0n
        world.used -= size
        return size
      },
      provide: () => {}
    },
    spending: { spent: () => world.spent },
    own: { estimate: (multihash) => world.own.get(multihash.toString()) ?? 0 },
    datastore: new MemoryDatastore(),
    log: defaultLogger().forComponent('test:fill')
  }
}

const INIT: FillInit = { maxPricePerMiB: 1000n, sellPricePerMiB: 1000n, maxSpend: 10n ** 9n, share: 0.5, headroom: 0.05 }

describe('fill: a round', () => {
  let items: CID[]
  let world: World

  beforeEach(async () => {
    items = await Promise.all(Array.from({ length: 6 }, async () => cid()))
    world = {
      lists: new Map([
        ['paid1', items.slice(0, 5).map((item, rank) => ({ cid: item, requesters: 40 - rank * 5 }))],
        ['paid2', items.slice(0, 5).map((item, rank) => ({ cid: item, requesters: 38 - rank * 5 }))],
        // lists its own item, which only it provides
        ['paid3', [{ cid: items[5], requesters: 1000 }, { cid: items[0], requesters: 30 }]]
      ]),
      providers: new Map(items.map((item, i) => [item.toString(), i === 5 ? ['paid3'] : ['paid1', `seller${i}`, 'paid3']])),
      sizes: new Map(items.map(item => [item.toString(), 10n * MIB])),
      real: new Map(),
      fetchedFrom: new Map(),
      pinned: new Set(),
      spent: 0n,
      used: 0n,
      max: 100n * MIB,
      own: new Map([[items[5].multihash.bytes.toString(), 0]])
    }
  })

  it('buys the top items within its share, never from a peer whose report the item needs', async () => {
    const round = await new FillRunner(components(world), INIT).run()

    expect(round.lists).to.equal(3)
    expect(round.asked).to.equal(4)
    // 50 MiB share: the five items both paid reporters listed; not paid3's own
    expect(round.fetched.map(item => item.cid)).to.have.members(items.slice(0, 5).map(item => item.toString()))
    expect([...world.pinned]).to.not.include(items[5].toString())

    // three supporters: the item stands without any one of them, so any provider may sell it
    expect(world.fetchedFrom.get(items[0].toString())).to.deep.equal(['paid1', 'seller0', 'paid3'])
    // two: neither supporter sells it; paid3 did not list it

    for (const item of items.slice(1, 5)) {
      expect(world.fetchedFrom.get(item.toString())).to.have.members([`seller${items.indexOf(item)}`, 'paid3'])
    }
  })

  it('drops a DAG that is larger than its root declares, and pins nothing of it', async () => {
    world.real.set(items[0].toString(), 40n * MIB)
    const round = await new FillRunner(components(world), INIT).run()

    expect(round.failed.map(item => item.cid)).to.deep.equal([items[0].toString()])
    expect(world.pinned.has(items[0].toString())).to.be.false()
    expect(round.fetched).to.have.lengthOf(4)
  })

  it('plans no more than its spending limit buys', async () => {
    // 25,000 stroops at 1,000 a MiB: two 10 MiB DAGs, no third started and dropped
    const round = await new FillRunner(components(world), { ...INIT, maxSpend: 25_000n }).run()

    expect(round.planned).to.have.lengthOf(2)
    expect(round.fetched).to.have.lengthOf(2)
    expect(round.stopped).to.be.undefined()
    expect(Number(round.spent)).to.be.at.most(25_000)
  })

  it('stops at its spending limit when a DAG costs more than planned', async () => {
    // within the slack a DAG may run past its root's size, at a price just under the most we pay
    items.forEach(item => world.real.set(item.toString(), 12n * MIB))
    const round = await new FillRunner(components(world), { ...INIT, maxSpend: 10_500n }).run()

    expect(round.stopped).to.match(/MaxSpend/)
    expect(Number(round.spent)).to.be.at.most(10_500 + 1024)
    expect(round.fetched).to.be.empty()
    expect(world.pinned.size).to.equal(0)
  })

  it('plans without buying in a dry run', async () => {
    const round = await new FillRunner(components(world), INIT).run({ dryRun: true })

    expect(round.planned).to.have.lengthOf(5)
    expect(round.fetched).to.be.empty()
    expect(world.pinned.size).to.equal(0)
    expect(world.spent).to.equal(0n)
  })

  it('lets go of a DAG demand left when a clearly better one needs the room, and keeps a history', async () => {
    const parts = components(world)
    // a share of 25 MiB: two 10 MiB DAGs, each charged about half to either paid reporter's part
    const first = await new FillRunner(parts, { ...INIT, share: 0.25 }).run()
    expect(first.fetched).to.have.lengthOf(2)

    // demand moves to a new item, which both paid reporters now list first
    const hot = await cid()
    world.sizes.set(hot.toString(), 10n * MIB)
    world.providers.set(hot.toString(), ['seller-hot'])
    world.lists.set('paid1', [{ cid: hot, requesters: 500 }, { cid: items[4], requesters: 1 }])
    world.lists.set('paid2', [{ cid: hot, requesters: 480 }, { cid: items[4], requesters: 1 }])

    // ten minutes later (a runner keeps each peer's list that long): a new one on the same records
    const runner = new FillRunner(parts, { ...INIT, share: 0.25 })
    const second = await runner.run()
    expect(second.fetched.map(item => item.cid)).to.deep.equal([hot.toString()])
    expect(second.evicted).to.have.lengthOf(1)
    expect(world.pinned.has(hot.toString())).to.be.true()

    const history = await runner.records.rounds(10)
    expect(history.map(round => round.fetched.length)).to.deep.equal([1, 2])
    expect((await runner.records.dags()).map(record => record.cid)).to.include(hot.toString())
  })

  it('asks a peer again only once its list is ten minutes old', async () => {
    const parts = components(world)
    let asked = 0
    const ask = parts.network.ask
    parts.network.ask = async (peer, options) => { asked++; return ask(peer, options) }
    const runner = new FillRunner(parts, { ...INIT, share: 0.2 })
    await runner.run({ dryRun: true })
    await runner.run({ dryRun: true })

    // three lists and one peer with none, asked once each but the one that failed
    expect(asked).to.equal(4 + 1)
  })

  it('passes its caller no progress events but its own', async () => {
    // libp2p and Helia report dials and pins through the options they are given
    const parts = components(world)
    const noisy = (options: any): void => { options?.onProgress?.(new CustomProgressEvent('dial-queue:add-to-dial-queue')) }
    const { ask, providers } = parts.network
    const { root, pin } = parts.fetcher
    parts.network.ask = async (peer, options) => { noisy(options); return ask(peer, options) }
    parts.network.providers = async (item, options) => { noisy(options); return providers(item, options) }
    parts.fetcher.root = async (item, options) => { noisy(options); return root(item, options) }
    parts.fetcher.pin = async (item, metadata, options) => { noisy(options); await pin(item, metadata, options) }
    const types = new Set<string>()
    const round = await new FillRunner(parts, INIT).run({ onProgress: (event) => { types.add(event.type) } })

    expect(round.fetched).to.not.be.empty()
    expect([...types].every(type => type.startsWith('fill:'))).to.be.true()
  })

  it('runs one round at a time', async () => {
    const runner = new FillRunner(components(world), INIT)
    const first = runner.run()

    await expect(runner.run()).to.eventually.be.rejected.with.property('name', 'FillRunningError')
    await first
  })
})
