/**
 * Planning: best value per provider first, within the share and short of
 * the headroom; held DAGs let go when the user needs room or a candidate is
 * clearly better; nothing bought that does not pay
 */
import crypto from 'node:crypto'
import { expect } from 'aegir/chai'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { pays, planFill, wantedByWords } from '../../../src/frequency/index.js'
import type { HeldFill, ValuedCandidate } from '../../../src/frequency/index.js'

const MIB = 1024n * 1024n

async function candidate (score: number, size: bigint, providers = 1, requesters = 5): Promise<ValuedCandidate> {
  return { cid: CID.createV1(0x70, await sha256.digest(crypto.randomBytes(32))), score, requesters, providers, size }
}

async function held (score: number, size: bigint, providers = 1): Promise<HeldFill> {
  return { cid: CID.createV1(0x70, await sha256.digest(crypto.randomBytes(32))), score, size, providers }
}

describe('fill: planning', () => {
  it('buys the best value per provider first, within the share', async () => {
    const best = await candidate(0.5, 40n * MIB, 0)
    const popularButCommon = await candidate(0.9, 40n * MIB, 8)
    const good = await candidate(0.3, 40n * MIB, 1)
    const plan = planFill({ candidates: [popularButCommon, good, best], held: [], shareBytes: 100n * MIB, freeBytes: 1000n * MIB })

    expect(plan.fetch.map(item => item.cid)).to.deep.equal([best.cid, good.cid])
    expect(plan.evict).to.be.empty()
  })

  it('never takes the headroom kept for the user', async () => {
    const items = await Promise.all([1, 2, 3].map(async score => candidate(score, 30n * MIB)))
    const plan = planFill({ candidates: items, held: [], shareBytes: 1000n * MIB, freeBytes: 65n * MIB })

    expect(plan.fetch).to.have.lengthOf(2)
  })

  it('lets the least valuable DAGs go when the user needs the room', async () => {
    const [low, mid, high] = await Promise.all([held(0.1, 30n * MIB), held(0.2, 30n * MIB), held(0.3, 30n * MIB)])
    const plan = planFill({ candidates: [], held: [high, low, mid], shareBytes: 200n * MIB, freeBytes: -40n * MIB })

    expect(plan.evict.map(item => item.cid)).to.deep.equal([low.cid, mid.cid])
  })

  it('replaces a held DAG only with one more valuable by the hysteresis', async () => {
    const old = await held(0.2, 50n * MIB)
    const slightlyBetter = await candidate(0.25, 50n * MIB)
    const muchBetter = await candidate(0.4, 50n * MIB)

    expect(planFill({ candidates: [slightlyBetter], held: [old], shareBytes: 60n * MIB, freeBytes: 1000n * MIB }).evict).to.be.empty()
    const plan = planFill({ candidates: [muchBetter], held: [old], shareBytes: 60n * MIB, freeBytes: 1000n * MIB })
    expect(plan.evict.map(item => item.cid)).to.deep.equal([old.cid])
    expect(plan.fetch.map(item => item.cid)).to.deep.equal([muchBetter.cid])
  })

  it('brings in no more on a group\'s word than its weight\'s part of the share while others ask for more', async () => {
    const budgets = new Map([['group', 0.1], ['honest', 0.9]])
    // the group's items score best, and only the group supports them
    const group = await Promise.all(Array.from({ length: 3 }, async () => ({ ...await candidate(0.9, 10n * MIB), contributions: new Map([['group', 0.9]]) })))
    const honest = await Promise.all(Array.from({ length: 10 }, async () => ({ ...await candidate(0.5, 10n * MIB), contributions: new Map([['honest', 0.5]]) })))
    // supported by both: charged by what each word gave it
    const shared = { ...await candidate(0.6, 20n * MIB), contributions: new Map([['group', 0.1], ['honest', 0.5]]) }
    const plan = planFill({ candidates: [...group, ...honest, shared], held: [], shareBytes: 100n * MIB, freeBytes: 1000n * MIB, budgets })

    // 10 MiB of the group's budget: one of its items; the shared one is mostly honest, which takes it all
    expect(plan.fetch.filter(item => group.includes(item as any))).to.have.lengthOf(1)
    expect(plan.fetch).to.include(shared)
    expect(plan.fetch.filter(item => honest.includes(item as any))).to.have.lengthOf(7)

    // what the others do not ask for is the group's
    const fewHonest = planFill({ candidates: [...group, ...honest.slice(0, 2)], held: [], shareBytes: 100n * MIB, freeBytes: 1000n * MIB, budgets })
    expect(fewHonest.fetch).to.have.lengthOf(5)

    // but they ask for all they support, valued this round or not
    const merged = [...group, ...honest]
    const wanted = wantedByWords(merged, [...group, ...honest.slice(0, 2)], [])
    const valuedFew = planFill({ candidates: [...group, ...honest.slice(0, 2)], held: [], shareBytes: 100n * MIB, freeBytes: 1000n * MIB, budgets, wanted })
    expect(valuedFew.fetch.filter(item => group.includes(item as any))).to.have.lengthOf(1)
    expect(valuedFew.fetch).to.have.lengthOf(3)
  })

  it('keeps no part of the share for what a round found it cannot hold', async () => {
    const budgets = new Map([['a', 0.5], ['b', 0.5]])
    const byA = await Promise.all([1, 2, 3].map(async () => ({ ...await candidate(0.9, 10n * MIB), contributions: new Map([['a', 1]]) })))
    // five more that `a` lists and nobody provides (a key every node looks up, say)
    const nowhere = await Promise.all([1, 2, 3, 4, 5].map(async () => ({ ...await candidate(0.9, 10n * MIB), contributions: new Map([['a', 1]]) })))
    const byB = await Promise.all(Array.from({ length: 10 }, async () => ({ ...await candidate(0.5, 10n * MIB), contributions: new Map([['b', 1]]) })))
    const merged = [...byA, ...nowhere, ...byB]
    const plan = (passedOver: typeof nowhere): ReturnType<typeof planFill> => planFill({ candidates: [...byA, ...byB], held: [], shareBytes: 100n * MIB, freeBytes: 1000n * MIB, budgets, wanted: wantedByWords(merged, [...byA, ...byB], [], passedOver) })

    // counted as asked for, they keep half the share for `a`, which holds 30 MiB of it
    expect(plan([]).fetch).to.have.lengthOf(8)
    // passed over, `a` asks for 30 MiB and `b` has the rest
    expect(plan(nowhere).fetch).to.have.lengthOf(10)
  })

  it('buys no more in a round than the round may spend, nor more on a word than its part of it', async () => {
    const budgets = new Map([['a', 0.5], ['b', 0.5]])
    const byA = await Promise.all([1, 2, 3].map(async () => ({ ...await candidate(0.9, 10n * MIB), contributions: new Map([['a', 1]]) })))
    const byB = await Promise.all([1, 2, 3].map(async () => ({ ...await candidate(0.8, 10n * MIB), contributions: new Map([['b', 1]]) })))

    const plan = planFill({ candidates: [...byA, ...byB], held: [], shareBytes: 1000n * MIB, freeBytes: 1000n * MIB, budgets, roundBytes: 40n * MIB })
    expect(plan.fetch).to.have.lengthOf(4)
    expect(plan.fetch.filter(item => byA.includes(item as any))).to.have.lengthOf(2)

    const unbudgeted = planFill({ candidates: [...byA, ...byB], held: [], shareBytes: 1000n * MIB, freeBytes: 1000n * MIB, roundBytes: 35n * MIB })
    expect(unbudgeted.fetch).to.deep.equal(byA)
  })

  it('lets a held DAG go to free its supporters\' budget for a clearly better one', async () => {
    const budgets = new Map([['a', 0.5], ['b', 0.5]])
    const heldA = { ...await held(0.2, 50n * MIB), contributions: new Map([['a', 0.2]]) }
    const heldB = { ...await held(0.1, 50n * MIB), contributions: new Map([['b', 0.1]]) }
    const better = { ...await candidate(0.6, 30n * MIB), contributions: new Map([['a', 0.6]]) }
    const forB = { ...await candidate(0.05, 30n * MIB), contributions: new Map([['b', 0.05]]) }

    // a's budget is full with its held DAG: that one goes, not b's less valuable one
    const plan = planFill({ candidates: [better, forB], held: [heldA, heldB], shareBytes: 100n * MIB, freeBytes: 1000n * MIB, budgets })
    expect(plan.evict).to.deep.equal([heldA])
    expect(plan.fetch).to.deep.equal([better])
  })

  it('buys what its requesters per provider pay for at our prices', () => {
    const prices = { buyPrice: 100n, sellPrice: 100n }
    expect(pays({ requesters: 3, providers: 1 }, prices)).to.be.true()
    expect(pays({ requesters: 3, providers: 3 }, prices)).to.be.false()
    expect(pays({ requesters: 3, providers: 3 }, { buyPrice: 0n, sellPrice: 100n })).to.be.true()
  })
})
