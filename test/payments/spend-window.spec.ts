/**
 * The budget window slides: what was spent late in one period still counts
 * early in the next, where a fixed period starting at the first payment
 * would have been spent twice over
 */
import { expect } from 'aegir/chai'
import { spend, spentWithin, SPEND_BUCKETS } from '../../src/payments/spend-window.js'

const PERIOD = 24 * 3_600_000

describe('spend window', () => {
  it('counts a spend for one whole period after it, and not after that', () => {
    const start = 1_000_000_000_000
    const late = start + PERIOD * 0.95
    const buckets = spend(spend([], start, PERIOD, 10n), late, PERIOD, 90n)

    // early in what a fixed period would call the next one: all of it still counts
    expect(spentWithin(buckets, start + PERIOD * 1.05, PERIOD)).to.equal(90n)
    expect(spentWithin(buckets, late + PERIOD / 2, PERIOD)).to.equal(90n)
    // a bucket past the window is dropped
    expect(spentWithin(buckets, late + PERIOD + PERIOD / SPEND_BUCKETS, PERIOD)).to.equal(0n)
  })

  it('keeps at most one bucket per slice of the period', () => {
    let buckets = spend([], 0, PERIOD, 1n)

    for (let t = 0; t < PERIOD * 3; t += 60_000) {
      buckets = spend(buckets, t, PERIOD, 1n)
    }

    expect(buckets.length).to.be.at.most(SPEND_BUCKETS + 1)
    expect(spentWithin(buckets, PERIOD * 3, PERIOD) >= BigInt(PERIOD / 60_000) - 1n).to.be.true()
  })
})
