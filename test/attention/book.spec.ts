/**
 * The attention book: seconds per TorPlus site and UTC day, bounded in every
 * way a hostile reporter could push it, kept across restarts for keepDays
 */
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import { MemoryDatastore } from 'datastore-core'
import { AttentionFullError, attentionBook, InvalidAttentionError, MAX_SECONDS_PER_DAY, MAX_SITES_PER_DAY } from '../../src/attention/index.js'
import type { AttentionBook } from '../../src/attention/index.js'

const DAY = 86_400_000
const NOON = Date.parse('2026-12-07T12:00:00Z')

async function book (datastore = new MemoryDatastore(), keepDays?: number): Promise<AttentionBook> {
  const started = attentionBook({ datastore, keepDays })({ logger: defaultLogger() })
  started.start()
  return started
}

describe('attention book', () => {
  it('adds up a site\'s seconds per day, and reports the days asked for', async () => {
    const attention = await book()
    await attention.record('torplus.example.com', 60, { now: NOON - 2 * DAY })
    await attention.record('torplus.example.com', 30, { now: NOON })
    await attention.record('http://torplus.example.com/deep/page', 15, { now: NOON })
    await attention.record('http://sites.torplus.com/#video', 600, { now: NOON })

    expect(await attention.report(1, { now: NOON })).to.deep.equal([
      { site: 'video.torplus.eth', seconds: 600, days: [{ day: '2026-12-07', seconds: 600 }] },
      { site: 'torplus.example.com', seconds: 45, days: [{ day: '2026-12-07', seconds: 45 }] }
    ])
    expect((await attention.report(3, { now: NOON })).find(site => site.site === 'torplus.example.com')).to.deep.equal({
      site: 'torplus.example.com', seconds: 105, days: [{ day: '2026-12-05', seconds: 60 }, { day: '2026-12-07', seconds: 45 }]
    })
  })

  it('counts every one of many reports at once', async () => {
    const attention = await book()
    await Promise.all(Array.from({ length: 100 }, async () => attention.record('video.torplus.eth', 7, { now: NOON })))
    expect((await attention.report(1, { now: NOON }))[0].seconds).to.equal(700)
  })

  it('refuses hosts that are not TorPlus sites and times out of range', async () => {
    const attention = await book()

    for (const target of ['example.com', 'http://www.torplus.com/', 'abc.onion', '']) {
      await expect(attention.record(target, 10)).to.eventually.be.rejectedWith(InvalidAttentionError)
    }

    for (const seconds of [0, -1, 601, 1.5, Number.NaN, Infinity]) {
      await expect(attention.record('video.torplus.eth', seconds)).to.eventually.be.rejectedWith(InvalidAttentionError)
    }

    expect(await attention.report(1)).to.deep.equal([])
  })

  it('credits a site at most a day a day, and a day at most its number of sites', async () => {
    const attention = await book()

    for (let i = 0; i < 200; i++) {
      await attention.record('video.torplus.eth', 600, { now: NOON })
    }

    expect((await attention.report(1, { now: NOON }))[0].seconds).to.equal(MAX_SECONDS_PER_DAY)

    for (let i = 1; i < MAX_SITES_PER_DAY; i++) {
      await attention.record(`site${i}.torplus.eth`, 1, { now: NOON })
    }

    await expect(attention.record('one-more.torplus.eth', 1, { now: NOON })).to.eventually.be.rejectedWith(AttentionFullError)
    // sites it holds still count, and the next day has room
    expect((await attention.record('site1.torplus.eth', 1, { now: NOON })).seconds).to.equal(2)
    expect((await attention.record('one-more.torplus.eth', 1, { now: NOON + DAY })).seconds).to.equal(1)
  })

  it('keeps what it recorded across a restart, and drops days past keepDays', async () => {
    const datastore = new MemoryDatastore()
    const first = await book(datastore)
    await first.record('video.torplus.eth', 10)
    await first.record('video.torplus.eth', 20, { now: Date.now() - 5 * DAY })
    first.stop()

    const again = await book(datastore, 3)
    expect(await again.report(30)).to.deep.equal([{ site: 'video.torplus.eth', seconds: 10, days: [{ day: new Date().toISOString().slice(0, 10), seconds: 10 }] }])
  })
})
