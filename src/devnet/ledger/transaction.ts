/**
 * One transaction against the ledger, as stellar-core judges it: checks in
 * core's order, then the operations. An invalid transaction changes nothing;
 * a failed one is charged its fee and consumes its sequence number, and its
 * operations' effects are rolled back.
 */
import { FeeBumpTransaction, SignerKey } from '@stellar/stellar-sdk'
import { BASE_FEE } from '../../stellar/index.js'
import { applyOperation, checkWellFormed, minimumBalance, thresholdLevel } from './operations.js'
import { SignatureChecker } from './signatures.js'
import { unsupportedFeature } from './unsupported.js'
import type { Accounts, OperationContext } from './operations.js'
import type { Transaction } from '@stellar/stellar-sdk'

export interface TransactionOutcome {
  /** invalid: not included; failed: included, fee charged, effects rolled back */
  kind: 'success' | 'failed' | 'invalid'
  /** Horizon's transaction result code: tx_success, tx_failed, tx_bad_seq, … */
  code: string
  /** Each operation's type and result code; empty for transaction-level failures */
  operations: Array<{ type: string, code: string }>
  feeCharged: bigint
  /** The accounts after the transaction (the input is never changed) */
  accounts: Accounts
  payments: OperationContext['payments']
  /** What the ledger does not apply, when that is why it refused */
  unsupported?: string
}

export interface TransactionContext {
  accounts: Accounts
  ledger: number
  /** Close time of the ledger being built, in seconds */
  closeTime: number
}

export function processTransaction (tx: Transaction | FeeBumpTransaction, ctx: TransactionContext): TransactionOutcome {
  const invalid = (code: string, operations: TransactionOutcome['operations'] = []): TransactionOutcome =>
    ({ kind: 'invalid', code, operations, feeCharged: 0n, accounts: ctx.accounts, payments: [] })

  // what the ledger would not apply is refused, never ignored
  if (tx instanceof FeeBumpTransaction) {
    return { ...invalid('tx_not_supported'), unsupported: 'fee bump transactions' }
  }

  const unsupported = unsupportedFeature(tx)

  if (unsupported != null) {
    return { ...invalid('tx_not_supported'), unsupported }
  }

  // 1. shape: CAP-21 extra signers (at most 2 by the XDR) must differ
  const extraSigners = (tx.extraSigners ?? []).map(key => SignerKey.encodeSignerKey(key as any))

  if (extraSigners.length === 2 && extraSigners[0] === extraSigners[1]) {
    return invalid('tx_malformed')
  }

  if (tx.operations.length === 0) {
    return invalid('tx_missing_operation')
  }

  const sources = tx.operations.map(op => op.source ?? tx.source)
  const malformed = tx.operations.map((op, i) => checkWellFormed(op, sources[i]))

  if (malformed.some(code => code != null)) {
    return invalid('tx_failed', tx.operations.map((op, i) => ({ type: op.type, code: malformed[i] ?? 'op_success' })))
  }

  // 2. time and ledger bounds
  const outOfBounds = checkBounds(tx, ctx)

  if (outOfBounds != null) {
    return invalid(outOfBounds)
  }

  // 3. fee
  const fee = BASE_FEE * BigInt(tx.operations.length)

  if (BigInt(tx.fee) < fee) {
    return invalid('tx_insufficient_fee')
  }

  // 4, 5. source account and sequence
  const source = ctx.accounts[tx.source]

  if (source == null) {
    return invalid('tx_no_source_account')
  }

  if (BigInt(tx.sequence) !== source.sequence + 1n) {
    return invalid('tx_bad_seq')
  }

  // 7. the source's signatures, at the low threshold, then every extra signer's
  const signatures = new SignatureChecker(tx.hash(), tx.signatures)

  if (!signatures.meets(source, source.thresholds.low) || !signatures.meetsExtra(extraSigners)) {
    return invalid('tx_bad_auth')
  }

  // 8. the fee must be payable
  if (source.balance - minimumBalance(source) < fee) {
    return invalid('tx_insufficient_balance')
  }

  // 9. each operation's source and signers
  const authorized = tx.operations.map((op, i) => {
    const account = ctx.accounts[sources[i]]

    if (account == null) {
      return 'op_no_source_account'
    }

    return signatures.meets(account, account.thresholds[thresholdLevel(op)]) ? 'op_success' : 'op_bad_auth'
  })

  if (authorized.some(code => code !== 'op_success')) {
    return invalid('tx_failed', tx.operations.map((op, i) => ({ type: op.type, code: authorized[i] })))
  }

  // 10. no signature may go unused
  if (!signatures.allUsed()) {
    return invalid('tx_bad_auth_extra')
  }

  // included: the fee and the sequence number are spent whatever happens next
  const charged: Accounts = structuredClone(ctx.accounts)
  charged[tx.source].balance -= fee
  charged[tx.source].sequence += 1n
  charged[tx.source].lastModifiedLedger = ctx.ledger

  const applied: Accounts = structuredClone(charged)
  const opCtx: OperationContext = { accounts: applied, source: tx.source, ledger: ctx.ledger, payments: [] }
  const operations = tx.operations.map((op, i) => {
    opCtx.source = sources[i]
    return { type: op.type, code: applyOperation(op, opCtx) }
  })

  if (operations.some(op => op.code !== 'op_success')) {
    return { kind: 'failed', code: 'tx_failed', operations, feeCharged: fee, accounts: charged, payments: [] }
  }

  for (const id of new Set(sources)) {
    applied[id].lastModifiedLedger = ctx.ledger
  }

  return { kind: 'success', code: 'tx_success', operations, feeCharged: fee, accounts: applied, payments: opCtx.payments }
}

/** tx_too_early or tx_too_late by time or ledger (CAP-21: minLedger <= ledger < maxLedger; 0 = no bound) */
function checkBounds (tx: Transaction, ctx: TransactionContext): string | undefined {
  const { minTime, maxTime } = tx.timeBounds ?? { minTime: '0', maxTime: '0' }
  const { minLedger, maxLedger } = tx.ledgerBounds ?? { minLedger: 0, maxLedger: 0 }

  if (Number(minTime) > ctx.closeTime || minLedger > ctx.ledger) {
    return 'tx_too_early'
  }

  if ((Number(maxTime) !== 0 && Number(maxTime) < ctx.closeTime) || (maxLedger !== 0 && maxLedger <= ctx.ledger)) {
    return 'tx_too_late'
  }
}
