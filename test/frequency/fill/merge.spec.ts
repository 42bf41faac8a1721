/**
 * Merging lists: no reporter outweighs its share whatever it claims, a
 * group of identities with no money history supports nothing, an item
 * needs two supporters, and one liar cannot raise an item's requester count
 */
import crypto from 'node:crypto'
import { expect } from 'aegir/chai'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { credibility, mergeLists, notSellers, OWN_DEMAND, wordWeights } from '../../../src/frequency/index.js'
import type { OwnDemand, ReporterList } from '../../../src/frequency/index.js'

async function cid (): Promise<CID> {
  return CID.createV1(0x70, await sha256.digest(crypto.randomBytes(32)))
}

const nobody: OwnDemand = { estimate: () => 0 }
const paid = credibility(10_000_000n) * 0.5

describe('fill: merging lists', () => {
  it('gives each reporter at most its weight, however large its counts', async () => {
    const [a, b, own] = [await cid(), await cid(), await cid()]
    const lists: ReporterList[] = [
      { reporter: 'honest1', weight: paid, entries: [{ cid: a, requesters: 20 }, { cid: b, requesters: 10 }] },
      { reporter: 'honest2', weight: paid, entries: [{ cid: a, requesters: 16 }, { cid: b, requesters: 12 }] },
      // claims a billion requesters for its own item, and lists it twice
      { reporter: 'liar', weight: paid, entries: [{ cid: own, requesters: 1e9 }, { cid: own, requesters: 1e9 }, { cid: a, requesters: 1 }] }
    ]

    const merged = mergeLists(lists, nobody)
    const score = (item: CID): number => merged.find(candidate => candidate.cid.equals(item))?.score ?? 0

    // the liar's item has one supporter: no candidate
    expect(merged.map(candidate => candidate.cid.toString())).to.have.members([a.toString(), b.toString()])
    expect(score(a)).to.be.above(score(b))
    // all the scores together never pass the sum of the weights
    expect(merged.reduce((sum, candidate) => sum + candidate.score, 0)).to.be.at.most(3 * paid + 1e-9)
  })

  it('takes no support from identities nobody exchanged money with', async () => {
    const sybil = await cid()
    const lists: ReporterList[] = Array.from({ length: 50 }, (_, i) => ({ reporter: `sybil${i}`, weight: credibility(0n) * 0.5, entries: [{ cid: sybil, requesters: 1000 }] }))

    expect(mergeLists(lists, nobody)).to.be.empty()
    // the same 50, with our own observation, still lack a second supporter
    expect(mergeLists(lists, { estimate: () => 5 })).to.be.empty()
  })

  it('counts our own observation as a supporter, and a reporter listed twice once', async () => {
    const item = await cid()
    const list: ReporterList = { reporter: 'r', weight: paid, entries: [{ cid: item, requesters: 9 }] }

    expect(mergeLists([list, { ...list }], nobody)).to.be.empty()
    const [candidate] = mergeLists([list], { estimate: () => 4 })
    expect(candidate.support).to.equal(2)
    expect(candidate.reporters).to.deep.equal(['r'])
    // the lower median of 9 and 4
    expect(candidate.requesters).to.equal(4)
  })

  it('keeps what each supporter\'s word gave an item, and what each word weighs in the round', async () => {
    const [a, b] = [await cid(), await cid()]
    const lists: ReporterList[] = [
      { reporter: 'r1', weight: 1, entries: [{ cid: a, requesters: 30 }, { cid: b, requesters: 10 }] },
      { reporter: 'r2', weight: 0.5, entries: [{ cid: a, requesters: 5 }] },
      // no money history: its word adds to the score, but is no one's support
      { reporter: 'stranger', weight: credibility(0n), entries: [{ cid: a, requesters: 1 }] },
      { reporter: 'silent', weight: 1, entries: [] }
    ]
    const [candidate] = mergeLists(lists, { estimate: multihash => multihash.toString() === a.multihash.bytes.toString() ? 4 : 0 })

    expect(candidate.cid.equals(a)).to.be.true()
    expect(Object.fromEntries(candidate.contributions)).to.deep.equal({ r1: 0.75, r2: 0.5, [OWN_DEMAND]: 1 })
    expect(Object.fromEntries(wordWeights(lists))).to.deep.equal({ r1: 0.4, r2: 0.2, [OWN_DEMAND]: 0.4 })
  })

  it('values an item by the lower median of its supporters\' counts', async () => {
    const item = await cid()
    const lists: ReporterList[] = [
      { reporter: 'a', weight: paid, entries: [{ cid: item, requesters: 8 }] },
      { reporter: 'b', weight: paid, entries: [{ cid: item, requesters: 6 }] },
      { reporter: 'liar', weight: paid, entries: [{ cid: item, requesters: 1e9 }] }
    ]

    expect(mergeLists(lists, nobody)[0].requesters).to.equal(8)
    expect(mergeLists(lists.slice(1), nobody)[0].requesters).to.equal(6)
  })

  it('never pays a supporter whose word the item needs', async () => {
    const item = await cid()
    const list = (reporter: string): ReporterList => ({ reporter, weight: paid, entries: [{ cid: item, requesters: 5 }] })

    expect([...notSellers(mergeLists([list('a'), list('b')], nobody)[0], 2)]).to.have.members(['a', 'b'])
    expect([...notSellers(mergeLists([list('a'), list('b'), list('c')], nobody)[0], 2)]).to.be.empty()
    // a weightless reporter is no supporter, and never needed
    const sybil: ReporterList = { reporter: 's', weight: credibility(0n) * 0.5, entries: [{ cid: item, requesters: 5 }] }
    expect([...notSellers(mergeLists([list('a'), list('b'), sybil], nobody)[0], 2)]).to.have.members(['a', 'b'])
  })

  it('weighs a reporter by the money exchanged with it', () => {
    expect(credibility(0n)).to.equal(0.05)
    expect(credibility(10_000n)).to.be.within(0.5, 0.7)
    expect(credibility(10_000_000n)).to.equal(1)
    expect(credibility(10n ** 15n)).to.equal(1)
  })
})
