/**
 * The settlement transaction of a tab: its source is one of the payee's
 * channel accounts at a sequence number the payee chose, and its single
 * payment operation, sourced from the payer, pays the payee the tab's total.
 * The payer builds and signs it; the payee checks it and adds the channel's
 * signature only when it submits. Until then the payer holds nothing it
 * could submit, and each newer transaction for the tab reuses the sequence
 * number, so only one of them can ever land.
 */
import { Account, Keypair, Operation, StrKey, TimeoutInfinite, TransactionBuilder } from '@stellar/stellar-sdk'
import { BASE_FEE, fromStroops, toStroops, xdrBytes } from '../../stellar/index.js'
import type { Asset, Transaction } from '@stellar/stellar-sdk'

export interface TabTransactionFields {
  channel: string
  sequence: bigint
  payer: string
  payee: string
  asset: Asset
  /** Stroops */
  total: bigint
  passphrase: string
}

/** The unsigned transaction; the payer signs it */
export function buildTabTransaction (fields: TabTransactionFields): Transaction {
  // TransactionBuilder uses the account's next sequence number
  return new TransactionBuilder(new Account(fields.channel, (fields.sequence - 1n).toString()), { fee: BASE_FEE.toString(), networkPassphrase: fields.passphrase })
    .addOperation(Operation.payment({ source: fields.payer, destination: fields.payee, asset: fields.asset, amount: fromStroops(fields.total) }))
    // no expiry: a payer must not be able to void a tab by letting it time out
    .setTimeout(TimeoutInfinite)
    .build()
}

export interface ExpectedTab {
  channel: string
  sequence: bigint
  payee: string
  asset: Asset
  total: bigint
  passphrase: string
  /** The payer's account, when an earlier payment made it known */
  payer?: string
}

/**
 * Check a payer's transaction against the tab it is meant for; returns the
 * parsed transaction and the payer's account, or the reason it is wrong
 */
export function checkTabTransaction (envelope: string, expected: ExpectedTab): { tx: Transaction, payer: string } | { reason: string } {
  let tx: Transaction

  try {
    const parsed = TransactionBuilder.fromXDR(envelope, expected.passphrase)

    if (!('operations' in parsed) || 'innerTransaction' in parsed) {
      return { reason: 'a fee-bump transaction' }
    }

    tx = parsed
  } catch (err: any) {
    return { reason: `not a transaction envelope for this network: ${err.message}` }
  }

  const op = tx.operations[0]

  if (tx.source !== expected.channel) {
    return { reason: `source ${tx.source} is not the channel ${expected.channel}` }
  }

  if (BigInt(tx.sequence) !== expected.sequence) {
    return { reason: `sequence ${tx.sequence} is not ${expected.sequence}` }
  }

  if (BigInt(tx.fee) < BASE_FEE) {
    return { reason: `fee ${tx.fee} is below ${BASE_FEE}` }
  }

  if (tx.timeBounds != null && tx.timeBounds.maxTime !== '0') {
    return { reason: 'the transaction expires' }
  }

  if (tx.operations.length !== 1 || op.type !== 'payment') {
    return { reason: 'not exactly one payment operation' }
  }

  if (op.source == null || !StrKey.isValidEd25519PublicKey(op.source)) {
    return { reason: 'the payment is not sourced from a payer account (G…)' }
  }

  if (expected.payer != null && op.source !== expected.payer) {
    return { reason: `the tab is paid from ${expected.payer}, not ${op.source}` }
  }

  if (op.destination !== expected.payee || !op.asset.equals(expected.asset)) {
    return { reason: `pays ${op.asset.getCode()} to ${op.destination}, not ${expected.asset.getCode()} to ${expected.payee}` }
  }

  if (toStroops(op.amount) !== expected.total) {
    return { reason: `pays ${op.amount}, not ${fromStroops(expected.total)}` }
  }

  const hash = tx.hash()
  const payer = Keypair.fromPublicKey(op.source)

  if (tx.signatures.length !== 1 || !payer.verify(hash, Buffer.from(xdrBytes((tx.signatures[0] as any).signature)))) {
    return { reason: 'not signed by the payer account alone' }
  }

  return { tx, payer: op.source }
}

/** What a tab transaction pays, in stroops; undefined when it is not one */
export function tabTotal (envelope: string, passphrase: string): bigint | undefined {
  try {
    const tx = TransactionBuilder.fromXDR(envelope, passphrase)
    const op = 'operations' in tx ? tx.operations[0] : undefined
    return op?.type === 'payment' ? toStroops(op.amount) : undefined
  } catch {
    return undefined
  }
}
