/**
 * The settlement transaction of a tab: its source is one of the payee's
 * channel accounts at a sequence number the payee chose, and its single
 * payment operation, sourced from the payer, pays the payee the tab's total.
 * The payer builds and signs it; the payee checks it and adds the channel's
 * signature only when it submits. Until then the payer holds nothing it
 * could submit, and each newer transaction for the tab reuses the sequence
 * number, so only one of them can ever land.
 *
 * A version may be hash-locked (a leg of a payment route): CAP-21 preconditions
 * make it valid only with the preimage of `hash` among its signatures
 * (`extraSigners = [HASH_X(hash)]`) and only until `expiry` (`maxTime`).
 * Every other version of a tab carries no precondition at all.
 */
import { createHash } from 'node:crypto'
import { Account, Keypair, Operation, SignerKey, StrKey, TimeoutInfinite, TransactionBuilder } from '@stellar/stellar-sdk'
import { BASE_FEE, fromStroops, toStroops, xdrBytes } from '../../stellar/index.js'
import type { Asset, Transaction } from '@stellar/stellar-sdk'

/** What a hash-locked version needs to land */
export interface HashLock {
  /** sha256 of the preimage, 32 bytes */
  hash: Uint8Array
  /** Unix seconds: the last ledger close time at which it can land */
  expiry: number
}

export interface TabTransactionFields {
  /** Set for a hash-locked version */
  lock?: HashLock
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
  const builder = new TransactionBuilder(new Account(fields.channel, (fields.sequence - 1n).toString()), { fee: BASE_FEE.toString(), networkPassphrase: fields.passphrase })
    .addOperation(Operation.payment({ source: fields.payer, destination: fields.payee, asset: fields.asset, amount: fromStroops(fields.total) }))

  if (fields.lock == null) {
    // no expiry: a payer must not be able to void a tab by letting it time out
    return builder.setTimeout(TimeoutInfinite).build()
  }

  return builder
    .setTimebounds(0, fields.lock.expiry)
    .setExtraSigners([StrKey.encodeSha256Hash(Buffer.from(fields.lock.hash))])
    .build()
}

/** The preimage of `hash` among a landed transaction's signatures (base64, as Horizon serves them) */
export function preimageAmong (signatures: string[], hash: Uint8Array): Uint8Array | undefined {
  const wanted = Buffer.from(hash)

  for (const signature of signatures) {
    const bytes = Buffer.from(signature, 'base64')

    if (bytes.byteLength <= 64 && createHash('sha256').update(bytes).digest().equals(wanted)) {
      return bytes
    }
  }
}

/** A hash-locked version with its preimage added: what its payee submits to claim it */
export function unlockTabTransaction (envelope: string, preimage: Uint8Array, passphrase: string): Transaction {
  const tx = TransactionBuilder.fromXDR(envelope, passphrase) as Transaction
  tx.signHashX(Buffer.from(preimage))
  return tx
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
  /** The lock a hash-locked version must carry; without it, none may */
  lock?: HashLock
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

  const conditions = checkConditions(tx, expected.lock)

  if (conditions != null) {
    return { reason: conditions }
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

/**
 * Why the transaction's preconditions are not exactly the lock's (or none):
 * a payer that slipped in an extra signer, a ledger bound or a minimum
 * sequence would hand over a version its payee could never land
 */
function checkConditions (tx: Transaction, lock: HashLock | undefined): string | undefined {
  const minTime = tx.timeBounds?.minTime ?? '0'
  const maxTime = tx.timeBounds?.maxTime ?? '0'
  const extraSigners = (tx.extraSigners ?? []).map(key => SignerKey.encodeSignerKey(key as any))

  if (tx.ledgerBounds != null || tx.minAccountSequence != null || (tx.minAccountSequenceAge ?? 0n) !== 0n || (tx.minAccountSequenceLedgerGap ?? 0) !== 0 || minTime !== '0') {
    return 'the transaction carries preconditions a tab does not'
  }

  if (lock == null) {
    if (maxTime !== '0') {
      return 'the transaction expires'
    }

    return extraSigners.length > 0 ? 'the transaction needs extra signers' : undefined
  }

  if (maxTime !== String(lock.expiry)) {
    return `the lock expires at ${maxTime}, not ${lock.expiry}`
  }

  if (extraSigners.length !== 1 || extraSigners[0] !== StrKey.encodeSha256Hash(Buffer.from(lock.hash))) {
    return 'the transaction is not locked by the payment\'s hash alone'
  }
}
