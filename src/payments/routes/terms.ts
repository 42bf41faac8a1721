/**
 * A relay's terms, signed by its libp2p key so that whoever passes them on
 * cannot change them, and the fee arithmetic both ends of a leg agree on:
 * BOLT 7's `fee = base + ceil(out · ppm / 1e6)`, with the client working
 * backwards from what the payee asked and each relay forwarding the most its
 * terms allow of what it received.
 */
import { concat as uint8ArrayConcat } from 'uint8arrays/concat'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { RelayTerms } from '../pb/route.js'
import type { PrivateKey, PublicKey } from '@libp2p/interface'

const DOMAIN = uint8ArrayFromString('/torplus/relay/1.0.0 terms:')
const MILLION = 1_000_000n

export type UnsignedRelayTerms = Omit<RelayTerms, 'signature'>

function signedBytes (terms: RelayTerms): Uint8Array {
  return uint8ArrayConcat([DOMAIN, RelayTerms.encode({ ...terms, signature: new Uint8Array(0) })])
}

export async function signRelayTerms (terms: UnsignedRelayTerms, key: PrivateKey): Promise<RelayTerms> {
  const unsigned = { ...terms, signature: new Uint8Array(0) }
  return { ...unsigned, signature: new Uint8Array(await key.sign(signedBytes(unsigned))) }
}

export async function verifyRelayTerms (terms: RelayTerms, key: PublicKey): Promise<boolean> {
  if (terms.signature.byteLength === 0) {
    return false
  }

  try {
    return await key.verify(signedBytes(terms), terms.signature)
  } catch {
    return false
  }
}

/** What a relay takes for forwarding `out` */
export function feeFor (out: bigint, terms: Pick<RelayTerms, 'feeBase' | 'feePpm'>): bigint {
  return terms.feeBase + (out * BigInt(terms.feePpm) + MILLION - 1n) / MILLION
}

/** The most a relay forwards of `received`: the largest `out` with out + fee(out) ≤ received */
export function forwardable (received: bigint, terms: Pick<RelayTerms, 'feeBase' | 'feePpm'>): bigint {
  const rest = received - terms.feeBase

  if (rest <= 0n) {
    return 0n
  }

  // out · (1e6 + ppm) / 1e6 ≤ rest, give or take the rounding up, settled by stepping
  let out = rest * MILLION / (MILLION + BigInt(terms.feePpm))

  while (out + feeFor(out, terms) > received && out > 0n) {
    out--
  }

  while (out + 1n + feeFor(out + 1n, terms) <= received) {
    out++
  }

  return out
}
