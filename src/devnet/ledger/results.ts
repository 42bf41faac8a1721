/**
 * TransactionResult XDR for an outcome, which the SDK parses from every
 * answer (a malformed one throws on the client after the ledger applied it)
 */
import { NotImplementedError } from '@libp2p/interface'
import { xdr } from '@stellar/stellar-sdk'
import type { TransactionOutcome } from './transaction.js'

/** Result union factories by operation type */
const OPERATION_RESULTS: Record<string, { arm: string, result: any, prefix: string }> = {
  createAccount: { arm: 'createAccount', result: xdr.CreateAccountResult, prefix: 'createAccount' },
  payment: { arm: 'payment', result: xdr.PaymentResult, prefix: 'payment' },
  changeTrust: { arm: 'changeTrust', result: xdr.ChangeTrustResult, prefix: 'changeTrust' },
  setOptions: { arm: 'setOptions', result: xdr.SetOptionsResult, prefix: 'setOptions' },
  setTrustLineFlags: { arm: 'setTrustLineFlags', result: xdr.SetTrustLineFlagsResult, prefix: 'setTrustLineFlags' },
  bumpSequence: { arm: 'bumpSequence', result: xdr.BumpSequenceResult, prefix: 'bumpSequence' }
}

/** Horizon codes whose XDR names are not the code in camel case */
const XDR_NAMES: Record<string, string> = {
  op_already_exists: 'AlreadyExist',
  op_no_trust_line: 'NoTrustLine',
  op_trust_line_missing: 'TrustLineMissing'
}

/** Operation-level codes outside the operation's own result */
const OUTER: Record<string, () => xdr.OperationResult> = {
  op_bad_auth: () => xdr.OperationResult.opBadAuth(),
  op_no_source_account: () => xdr.OperationResult.opNoAccount(),
  op_not_supported: () => xdr.OperationResult.opNotSupported()
}

/** Transaction-level codes by Horizon name */
const TRANSACTION_RESULTS: Record<string, string> = {
  tx_too_early: 'txTooEarly',
  tx_too_late: 'txTooLate',
  tx_missing_operation: 'txMissingOperation',
  tx_bad_seq: 'txBadSeq',
  tx_bad_auth: 'txBadAuth',
  tx_insufficient_balance: 'txInsufficientBalance',
  tx_no_source_account: 'txNoAccount',
  tx_insufficient_fee: 'txInsufficientFee',
  tx_bad_auth_extra: 'txBadAuthExtra',
  tx_not_supported: 'txNotSupported',
  tx_malformed: 'txMalformed'
}

const camel = (code: string): string => XDR_NAMES[code] ?? code.replace(/^op_/, '').split('_').map(word => word[0].toUpperCase() + word.slice(1)).join('')

function operationResult (type: string, code: string): xdr.OperationResult {
  const outer = OUTER[code]

  if (outer != null) {
    return outer()
  }

  const entry = OPERATION_RESULTS[type]

  if (entry == null) {
    return xdr.OperationResult.opNotSupported()
  }

  const factory = entry.result[`${entry.prefix}${camel(code)}`]

  if (typeof factory !== 'function') {
    throw new NotImplementedError(`the local ledger has no XDR result for ${type} ${code}`)
  }

  return (xdr.OperationResult as any).opInner((xdr.OperationResultTr as any)[entry.arm](factory.call(entry.result)))
}

export function transactionResultXdr (outcome: Pick<TransactionOutcome, 'code' | 'operations' | 'feeCharged'>): string {
  let result: xdr.TransactionResultResult

  if (outcome.code === 'tx_success' || outcome.code === 'tx_failed') {
    const operations = outcome.operations.map(op => operationResult(op.type, op.code))
    result = outcome.code === 'tx_success' ? xdr.TransactionResultResult.txSuccess(operations) : xdr.TransactionResultResult.txFailed(operations)
  } else {
    result = (xdr.TransactionResultResult as any)[TRANSACTION_RESULTS[outcome.code] ?? 'txMalformed']()
  }

  return new xdr.TransactionResult({
    feeCharged: xdr.Int64.fromString(outcome.feeCharged.toString()),
    result,
    ext: xdr.TransactionResultExt.v0()
  }).toXDR('base64')
}
