/**
 * Which signers a transaction's signatures speak for, as stellar-core's
 * SignatureChecker decides it: hash(x) signers first, then ed25519 keys;
 * each signature is tried in order against the signers still unmatched, a
 * matched signer counts once with its weight (at most 255), and the check
 * stops as soon as the weight is met, so a signature it did not need stays
 * unused. Signatures are shared by the transaction, extra-signer and
 * operation checks; any never used makes the transaction
 * `tx_bad_auth_extra`.
 */
import { createHash } from 'node:crypto'
import { Keypair, StrKey } from '@stellar/stellar-sdk'
import { xdrBytes } from '../../stellar/index.js'
import type { AccountEntry } from './state.js'
import type { xdr } from '@stellar/stellar-sdk'

/** A signer the ledger can check: an ed25519 key (G…) or a hash(x) (X…) */
export interface Signer {
  key: string
  weight: number
}

interface CheckedSignature {
  hint: Uint8Array
  signature: Uint8Array
  used: boolean
}

/** The most weight one signer adds (stellar-core caps it from protocol 10) */
const MAX_SIGNER_WEIGHT = 255

export class SignatureChecker {
  private readonly hash: Buffer
  private readonly signatures: CheckedSignature[]

  constructor (hash: Uint8Array, signatures: xdr.DecoratedSignature[]) {
    this.hash = Buffer.from(hash)
    this.signatures = signatures.map(decorated => ({
      hint: xdrBytes(decorated.hint),
      signature: xdrBytes(decorated.signature),
      used: false
    }))
  }

  /**
   * Whether the signatures carry at least `threshold` weight for the account
   * (and any weight at all: a zero threshold still needs one signature)
   */
  meets (account: AccountEntry, threshold: number): boolean {
    const master = account.thresholds.master > 0 ? [{ key: account.id, weight: account.thresholds.master }] : []
    return this.check([...master, ...account.signers], threshold)
  }

  /** Whether every one of a transaction's extra signers (CAP-21) has signed */
  meetsExtra (keys: string[]): boolean {
    return keys.length === 0 || this.check(keys.map(key => ({ key, weight: 1 })), keys.length)
  }

  /** Whether every signature was used by some check */
  allUsed (): boolean {
    return this.signatures.every(signature => signature.used)
  }

  private check (signers: Signer[], needed: number): boolean {
    let weight = 0

    for (const kind of [isHashX, isEd25519]) {
      const unmatched = signers.filter(signer => kind(signer.key))

      for (const signature of this.signatures) {
        const index = unmatched.findIndex(signer => this.verifies(signature, signer.key))

        if (index === -1) {
          continue
        }

        signature.used = true
        weight += Math.min(unmatched[index].weight, MAX_SIGNER_WEIGHT)

        if (weight >= needed) {
          return true
        }

        unmatched.splice(index, 1)
      }
    }

    return false
  }

  private verifies (signature: CheckedSignature, key: string): boolean {
    if (isHashX(key)) {
      const hashX = StrKey.decodeSha256Hash(key)
      return equal(signature.hint, hashX.subarray(hashX.byteLength - 4)) &&
        equal(createHash('sha256').update(signature.signature).digest(), hashX)
    }

    const publicKey = StrKey.decodeEd25519PublicKey(key)
    return equal(signature.hint, publicKey.subarray(publicKey.byteLength - 4)) &&
      signature.signature.byteLength === 64 &&
      Keypair.fromPublicKey(key).verify(this.hash, Buffer.from(signature.signature))
  }
}

function isHashX (key: string): boolean {
  return key.startsWith('X')
}

function isEd25519 (key: string): boolean {
  return key.startsWith('G')
}

function equal (a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i])
}
