/**
 * What Horizon serves of a transaction's envelope besides the XDR itself:
 * its signatures (base64) and its CAP-21 preconditions. A hop of a payment
 * route reads a hash lock's preimage here, off a tab that landed.
 */
import { FeeBumpTransaction, SignerKey, TransactionBuilder } from '@stellar/stellar-sdk'
import { xdrBytes } from '../../stellar/index.js'

export interface EnvelopeFields {
  signatures: string[]
  preconditions?: {
    timebounds?: { min_time: string, max_time: string }
    ledgerbounds?: { min_ledger: number, max_ledger: number }
    min_account_sequence?: string
    min_account_sequence_age?: string
    min_account_sequence_ledger_gap?: number
    extra_signers?: string[]
  }
  valid_after?: string
  valid_before?: string
}

export function envelopeFields (envelopeXdr: string, passphrase: string): EnvelopeFields {
  const parsed = TransactionBuilder.fromXDR(envelopeXdr, passphrase)
  const tx = parsed instanceof FeeBumpTransaction ? parsed.innerTransaction : parsed
  const signatures = parsed.signatures.map(decorated => Buffer.from(xdrBytes((decorated as any).signature)).toString('base64'))
  const time = tx.timeBounds
  const ledger = tx.ledgerBounds
  const extraSigners = (tx.extraSigners ?? []).map(key => SignerKey.encodeSignerKey(key as any))
  const preconditions: EnvelopeFields['preconditions'] = {
    ...(time == null ? {} : { timebounds: { min_time: time.minTime, max_time: time.maxTime } }),
    ...(ledger == null ? {} : { ledgerbounds: { min_ledger: ledger.minLedger, max_ledger: ledger.maxLedger } }),
    ...(tx.minAccountSequence == null ? {} : { min_account_sequence: tx.minAccountSequence }),
    ...((tx.minAccountSequenceAge ?? 0n) === 0n ? {} : { min_account_sequence_age: String(tx.minAccountSequenceAge) }),
    ...((tx.minAccountSequenceLedgerGap ?? 0) === 0 ? {} : { min_account_sequence_ledger_gap: tx.minAccountSequenceLedgerGap }),
    ...(extraSigners.length === 0 ? {} : { extra_signers: extraSigners })
  }

  return {
    signatures,
    ...(Object.keys(preconditions).length === 0 ? {} : { preconditions }),
    ...(time == null ? {} : { valid_after: isoTime(time.minTime) }),
    ...(time == null || time.maxTime === '0' ? {} : { valid_before: isoTime(time.maxTime) })
  }
}

function isoTime (seconds: string): string {
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z')
}
