/**
 * The route onion: each hop peels exactly its own payload with its key, the
 * packet keeps one size whatever the route's length and at every hop, and a
 * change to any byte, or the wrong key, is refused
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'aegir/chai'
import { MAX_HOPS, ONION_SIZE, PAYLOAD_SIZE, buildOnion, peelOnion, routeKeyFromSecret } from '../../../src/payments/routes/onion.js'
import type { RouteKey } from '../../../src/payments/routes/onion.js'

describe('route onion', () => {
  const keys: RouteKey[] = Array.from({ length: MAX_HOPS }, () => routeKeyFromSecret(randomBytes(32)))
  const payloadOf = (i: number): Uint8Array => new TextEncoder().encode(`hop ${i}: the next peer is peer ${i + 1}`)

  for (let length = 1; length <= MAX_HOPS; length++) {
    it(`takes each of ${length} hops its own payload, one size throughout`, () => {
      let onion = buildOnion(keys.slice(0, length).map((key, i) => ({ routeKey: key.publicKey, payload: payloadOf(i) })))

      for (let i = 0; i < length; i++) {
        expect(onion.byteLength).to.equal(ONION_SIZE)
        // no other hop's key opens this slot
        expect(peelOnion(onion, keys[(i + 1) % MAX_HOPS])).to.equal(undefined)
        const peeled = peelOnion(onion, keys[i])
        expect(peeled, `hop ${i}`).to.not.equal(undefined)
        expect(Buffer.from(peeled?.payload ?? []).subarray(0, payloadOf(i).byteLength)).to.deep.equal(Buffer.from(payloadOf(i)))
        expect(Buffer.from(peeled?.payload ?? []).subarray(payloadOf(i).byteLength).every(byte => byte === 0)).to.equal(true)
        onion = peeled?.next ?? new Uint8Array()
      }

      // what the payee passes on opens for nobody
      expect(keys.map(key => peelOnion(onion, key))).to.deep.equal(keys.map(() => undefined))
    })
  }

  it('is refused by the first hop it reaches when any byte changes', () => {
    const onion = buildOnion(keys.slice(0, 3).map((key, i) => ({ routeKey: key.publicKey, payload: payloadOf(i) })))

    for (const at of [0, 40, 150, ONION_SIZE - 1]) {
      const changed = new Uint8Array(onion)
      changed[at] ^= 1
      expect(peelOnion(changed, keys[0]), `byte ${at}`).to.equal(undefined)
    }

    // and a change made after the first hop peeled is refused by the second
    const second = peelOnion(onion, keys[0])?.next ?? new Uint8Array()
    second[ONION_SIZE - 1] ^= 1
    expect(peelOnion(second, keys[1])).to.equal(undefined)
  })

  it('refuses the wrong size, a payload too big, too many hops and a key off the curve', () => {
    expect(peelOnion(new Uint8Array(ONION_SIZE - 1), keys[0])).to.equal(undefined)
    expect(peelOnion(new Uint8Array(ONION_SIZE), keys[0])).to.equal(undefined)
    expect(() => buildOnion([{ routeKey: keys[0].publicKey, payload: new Uint8Array(PAYLOAD_SIZE + 1) }])).to.throw(RangeError)
    expect(() => buildOnion(Array.from({ length: MAX_HOPS + 1 }, () => ({ routeKey: keys[0].publicKey, payload: new Uint8Array(1) })))).to.throw(RangeError)
    expect(() => buildOnion([])).to.throw(RangeError)
  })

  it('the same secret gives the same route key', () => {
    const secret = randomBytes(32)
    expect(Buffer.from(routeKeyFromSecret(secret).publicKey)).to.deep.equal(Buffer.from(routeKeyFromSecret(secret).publicKey))
  })
})
