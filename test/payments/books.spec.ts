/**
 * The payment books keep what money needs and let go of the rest: history
 * and ended tabs past their retention, nonces once their requests expired,
 * an account that never paid; tabs under way stay whatever their age
 */
import path from 'node:path'
import { expect } from 'aegir/chai'
import { LevelDatastore } from 'datastore-level'
import { levelSyncedStore, PaymentBooks } from '../../src/payments/books/index.js'
import { tempDir } from '../utils/repo.js'
import type { Tab } from '../../src/payments/books/index.js'

const HOUR = 3_600_000

describe('payment books', () => {
  let datastore: LevelDatastore
  let books: PaymentBooks

  beforeEach(async () => {
    datastore = new LevelDatastore(path.join(await tempDir(), 'datastore'))
    await datastore.open()
    books = new PaymentBooks(levelSyncedStore(datastore))
    await books.load()
  })

  afterEach(async () => {
    await datastore.close()
  })

  const tab = (sequence: bigint, state: Tab['state'], updatedAt: number): Tab => ({ peer: 'p', channel: 'C', sequence, total: 1n, state, openedAt: updatedAt, updatedAt })

  it('drops history and ended tabs past the retention, and keeps tabs under way', async () => {
    const now = Date.now()
    await books.commit({
      tabs: [tab(1n, 'settled', now - 3 * HOUR), tab(2n, 'failed', now - 3 * HOUR), tab(3n, 'open', now - 3 * HOUR), tab(4n, 'submitting', now - 3 * HOUR), tab(5n, 'settled', now)],
      events: [{ time: now - 3 * HOUR, peer: 'p', kind: 'settled', amount: 1n, ref: 'old' }, { time: now, peer: 'p', kind: 'settled', amount: 1n, ref: 'new' }]
    })

    expect(await books.pruneHistory(now - HOUR)).to.equal(3)
    expect(books.tabList().map(tab => tab.sequence)).to.have.members([3n, 4n, 5n])
    const events = []
    for await (const event of books.events(0, now + 1)) { events.push(event.ref) }
    expect(events).to.deep.equal(['new'])

    // and so after a restart
    const reloaded = new PaymentBooks(levelSyncedStore(datastore))
    await reloaded.load()
    expect(reloaded.tabList().map(tab => tab.sequence)).to.have.members([3n, 4n, 5n])
  })

  it('forgets nonces of expired requests, and an account that never paid', async () => {
    const now = Date.now()
    await books.commit({ nonce: { peer: 'p', nonce: 'a', expiry: now - 1 }, payee: { peer: 'p', paidThrough: 0n, received: 0n } })
    await books.commit({ nonce: { peer: 'p', nonce: 'b', expiry: now + HOUR } })

    expect(await books.pruneNonces(now)).to.equal(1)
    expect(await books.seenNonce('p', 'a')).to.be.false()
    expect(await books.seenNonce('p', 'b')).to.be.true()

    await books.forgetPayee('p')
    expect(books.payeeAccounts()).to.deep.equal([])
  })

  it('writes one commit at a time, each from the books as the one before left them', async () => {
    await books.commit({ payee: { peer: 'p', paidThrough: 0n, received: 0n } })
    // many writers, each adding to what it finds
    await Promise.all(Array.from({ length: 20 }, async () => books.commit(() => {
      const account = books.payee('p')
      return { payee: { ...account, received: account.received + 1n } }
    })))

    expect(books.payee('p').received).to.equal(20n)
  })
})
