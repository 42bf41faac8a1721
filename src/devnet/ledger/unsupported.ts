/**
 * What the local ledger does not apply. stellar-core honours every field of
 * a transaction; a ledger that skipped one would accept what the real
 * network refuses (a transaction held back by a minimum sequence age would
 * land at once), so a transaction that uses anything below is refused whole,
 * `tx_not_supported`, before any other check.
 */
import { StrKey } from '@stellar/stellar-sdk'
import type { OperationRecord, Transaction } from '@stellar/stellar-sdk'

/** The operations `applyOperation` implements */
const OPERATIONS = new Set(['createAccount', 'payment', 'changeTrust', 'setOptions', 'setTrustLineFlags', 'bumpSequence'])

/** Why the ledger cannot apply `tx` faithfully, or undefined when it can */
export function unsupportedFeature (tx: Transaction): string | undefined {
  if (tx.minAccountSequence != null) {
    return 'a minimum sequence number'
  }

  if ((tx.minAccountSequenceAge ?? 0n) !== 0n || (tx.minAccountSequenceLedgerGap ?? 0) !== 0) {
    return 'a minimum sequence age or ledger gap'
  }

  // ed25519 keys and hash(x) are checked; pre-authorized transactions and signed payloads are not
  if ((tx.extraSigners ?? []).some(key => !['signerKeyTypeEd25519', 'signerKeyTypeHashX'].includes((key as { type: string }).type))) {
    return 'extra signers other than ed25519 keys and hash(x)'
  }

  const envelope = tx.toEnvelope()

  if (envelope.type === 'envelopeTypeTx' && envelope.v1.tx.ext.type !== 'v0') {
    return 'Soroban resources'
  }

  if (!StrKey.isValidEd25519PublicKey(tx.source)) {
    return 'a muxed source account'
  }

  for (const op of tx.operations) {
    const problem = unsupportedOperation(op)

    if (problem != null) {
      return problem
    }
  }
}

function unsupportedOperation (op: OperationRecord): string | undefined {
  if (!OPERATIONS.has(op.type)) {
    return `the ${op.type} operation`
  }

  if (op.source != null && !StrKey.isValidEd25519PublicKey(op.source)) {
    return 'a muxed operation source'
  }

  switch (op.type) {
    case 'payment':
    case 'createAccount':
      return StrKey.isValidEd25519PublicKey(op.destination) ? undefined : 'a muxed destination'
    case 'changeTrust':
      return op.line.getAssetType() === 'liquidity_pool_shares' ? 'liquidity pool shares' : undefined
    case 'setOptions':
      if (op.inflationDest != null || op.homeDomain != null) {
        return 'set_options with an inflation destination or a home domain'
      }

      return op.signer != null && !('ed25519PublicKey' in op.signer) ? 'signers other than ed25519 keys' : undefined
    case 'setTrustLineFlags':
      return Object.entries(op.flags).some(([flag, value]) => flag !== 'authorized' && value != null)
        ? 'trust line flags other than authorized'
        : undefined
    default:
      return undefined
  }
}
