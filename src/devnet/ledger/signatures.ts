/**
 * Which accounts a transaction's signatures speak for: each signature is
 * matched to a signer by its hint and verified against the transaction
 * hash; weights of distinct signers add up. Signatures are shared by the
 * transaction and operation checks, and any never used makes the
 * transaction `tx_bad_auth_extra`.
 */
import { Keypair, StrKey } from '@stellar/stellar-sdk'
import { xdrBytes } from '../../stellar/index.js'
import type { AccountEntry } from './state.js'
import type { xdr } from '@stellar/stellar-sdk'

interface CheckedSignature {
  hint: Uint8Array
  signature: Uint8Array
  used: boolean
}

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
    const signers = [{ key: account.id, weight: account.thresholds.master }, ...account.signers]
    let weight = 0

    for (const signer of signers) {
      if (signer.weight > 0 && this.signedBy(signer.key)) {
        weight += signer.weight
      }
    }

    return weight > 0 && weight >= threshold
  }

  /** Whether every signature was used by some check */
  allUsed (): boolean {
    return this.signatures.every(signature => signature.used)
  }

  private signedBy (key: string): boolean {
    const publicKey = StrKey.decodeEd25519PublicKey(key)
    const keypair = Keypair.fromPublicKey(key)
    let found = false

    for (const signature of this.signatures) {
      if (!equal(signature.hint, publicKey.subarray(publicKey.byteLength - 4))) {
        continue
      }

      if (keypair.verify(this.hash, Buffer.from(signature.signature))) {
        signature.used = true
        found = true
      }
    }

    return found
  }
}

function equal (a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i])
}
