/**
 * What the attention book owes site owners: accrued at the price per minute
 * for the seconds it records (no more than a day's cap lets in), paid to the
 * owner a name leads to once it adds up to MIN_ATTENTION_OFFER, never twice,
 * and put back by whatever the owner did not take
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { expect } from 'aegir/chai'
import { MemoryDatastore } from 'datastore-core'
import { AttentionPaymentsOffError, attentionBook, MAX_SECONDS_PER_DAY } from '../../src/attention/index.js'
import { MIN_ATTENTION_OFFER } from '../../src/payments/index.js'
import type { AttentionBook, SiteOwners } from '../../src/attention/index.js'
import type { PeerId } from '@libp2p/interface'

const NOON = Date.parse('2026-12-07T12:00:00Z')

/** Owners that take what `take` says of each offer, and keep a list of them */
async function owners (take: (amount: bigint) => bigint | Promise<bigint> = amount => amount): Promise<SiteOwners & { offers: Array<{ site: string, amount: bigint, peer: PeerId }> }> {
  const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const offers: Array<{ site: string, amount: bigint, peer: PeerId }> = []

  return {
    offers,
    peerOf: async (site) => {
      if (site.startsWith('gone.')) {
        throw new Error('no such name')
      }

      return peer
    },
    offer: async (to, amount, site) => {
      offers.push({ site, amount, peer: to })
      return take(amount)
    }
  }
}

function book (init: { pricePerMinute?: bigint, owners?: SiteOwners, datastore?: MemoryDatastore }): AttentionBook {
  const started = attentionBook({ datastore: init.datastore ?? new MemoryDatastore(), pricePerMinute: init.pricePerMinute, owners: init.owners })({ logger: defaultLogger() })
  started.start()
  return started
}

describe('attention dues', () => {
  it('owes a site its seconds at the price per minute, and pays it once it adds up', async () => {
    const paid = await owners()
    // 1,000 stroops a minute: 10 minutes make the least offer
    const attention = book({ pricePerMinute: 1_000n, owners: paid })
    await attention.record('torplus.example.com', 300, { now: NOON })
    await attention.record('http://sites.torplus.com/#video', 90, { now: NOON })

    expect(await attention.owed()).to.deep.equal([
      { site: 'torplus.example.com', owed: 5_000n, paid: 0n },
      { site: 'video.torplus.eth', owed: 1_500n, paid: 0n }
    ])
    expect(await attention.pay()).to.deep.equal([])

    await attention.record('torplus.example.com', 301, { now: NOON })
    const round = await attention.pay()
    expect(round.map(payment => [payment.site, payment.offered, payment.paid, payment.error])).to.deep.equal([['torplus.example.com', 10_016n, 10_016n, undefined]])
    expect(paid.offers.map(offer => offer.amount)).to.deep.equal([10_016n])

    // nothing is offered twice
    expect(await attention.pay()).to.deep.equal([])
    expect((await attention.owed()).find(due => due.site === 'torplus.example.com')).to.deep.equal({ site: 'torplus.example.com', owed: 10_016n, paid: 10_016n })
  })

  it('keeps sixtieths of a stroop until they make whole ones', async () => {
    const attention = book({ pricePerMinute: 7n, owners: await owners() })

    for (let i = 0; i < 10; i++) {
      await attention.record('torplus.example.com', 1, { now: NOON })
    }

    // 70 sixtieths
    expect((await attention.owed())[0].owed).to.equal(1n)
  })

  it('owes nothing for seconds past a day\'s cap', async () => {
    const attention = book({ pricePerMinute: 60n, owners: await owners() })

    for (let i = 0; i < MAX_SECONDS_PER_DAY / 600 + 3; i++) {
      await attention.record('torplus.example.com', 600, { now: NOON })
    }

    expect((await attention.owed())[0].owed).to.equal(BigInt(MAX_SECONDS_PER_DAY))
  })

  it('puts back what an owner did not take, and what could not be offered', async () => {
    const half = await owners(amount => amount / 2n)
    const attention = book({ pricePerMinute: MIN_ATTENTION_OFFER, owners: half })
    await attention.record('torplus.example.com', 60, { now: NOON })
    await attention.record('gone.torplus.eth', 60, { now: NOON })

    const round = await attention.pay()
    expect(round.find(payment => payment.site === 'torplus.example.com')).to.include({ offered: MIN_ATTENTION_OFFER, paid: MIN_ATTENTION_OFFER / 2n })
    expect(round.find(payment => payment.site === 'gone.torplus.eth')?.error).to.match(/could not be reached: no such name/)
    expect(await attention.owed()).to.deep.equal([
      { site: 'gone.torplus.eth', owed: MIN_ATTENTION_OFFER, paid: 0n },
      { site: 'torplus.example.com', owed: MIN_ATTENTION_OFFER, paid: MIN_ATTENTION_OFFER / 2n }
    ])
  })

  it('counts an offer as paid while it is out: a round at the same time offers nothing again', async () => {
    let release = (): void => {}
    const slow = await owners(async amount => new Promise(resolve => { release = () => { resolve(amount) } }))
    const attention = book({ pricePerMinute: MIN_ATTENTION_OFFER, owners: slow })
    await attention.record('torplus.example.com', 60, { now: NOON })

    const first = attention.pay()
    await new Promise(resolve => setTimeout(resolve, 50))
    const second = attention.pay()
    release()
    expect((await first).map(payment => payment.paid)).to.deep.equal([MIN_ATTENTION_OFFER])
    expect(await second).to.deep.equal([])
    expect(slow.offers).to.have.lengthOf(1)
  })

  it('owes nothing and pays nothing with no price, or no way to pay', async () => {
    for (const attention of [book({ owners: await owners() }), book({ pricePerMinute: 1_000n })]) {
      await attention.record('torplus.example.com', 600, { now: NOON })
      expect(await attention.owed()).to.deep.equal([])
      await expect(attention.pay()).to.eventually.be.rejected.with.property('name', AttentionPaymentsOffError.name)
    }
  })

  it('reads a damaged record as nothing owed, and goes on', async () => {
    const datastore = new MemoryDatastore()
    const attention = book({ pricePerMinute: 1_000n, owners: await owners(), datastore })
    const { Key } = await import('interface-datastore')
    await datastore.put(new Key('/torplus/owed/torplus.example.com'), new TextEncoder().encode('{"owed": -1}'))
    await attention.record('torplus.example.com', 60, { now: NOON })
    expect(await attention.owed()).to.deep.equal([{ site: 'torplus.example.com', owed: 1_000n, paid: 0n }])
  })
})
