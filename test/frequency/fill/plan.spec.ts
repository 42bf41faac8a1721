/**
 * Planning: best value per provider first, within the share and short of
 * the headroom; held DAGs let go when the user needs room or a candidate is
 * clearly better; nothing bought that does not pay
 */
import crypto from 'node:crypto'
import { expect } from 'aegir/chai'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { pays, planFill } from '../../../src/frequency/index.js'
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

  it('buys what its requesters per provider pay for at our prices', () => {
    const prices = { buyPrice: 100n, sellPrice: 100n }
    expect(pays({ requesters: 3, providers: 1 }, prices)).to.be.true()
    expect(pays({ requesters: 3, providers: 3 }, prices)).to.be.false()
    expect(pays({ requesters: 3, providers: 3 }, { buyPrice: 0n, sellPrice: 100n })).to.be.true()
  })
})
