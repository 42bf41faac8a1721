/**
 * The ledger's state: accounts with their trustlines and signers, the
 * transactions and payments applied, and the last closed ledger. It is kept
 * in one JSON file (amounts as strings), written to a temporary file, synced
 * and renamed into place, so a crash leaves the last closed ledger whole.
 */
import fs from 'node:fs/promises'
import path from 'node:path'

export interface Thresholds {
  /** Weight of the account's own key (0: it no longer signs) */
  master: number
  low: number
  med: number
  high: number
}

export interface Trustline {
  balance: bigint
  limit: bigint
  authorized: boolean
}

export interface AccountEntry {
  id: string
  /** Native balance in stroops */
  balance: bigint
  sequence: bigint
  thresholds: Thresholds
  signers: Array<{ key: string, weight: number }>
  authRequired: boolean
  /** By asset key `CODE:ISSUER` */
  trustlines: Record<string, Trustline>
  lastModifiedLedger: number
}

export interface TransactionRecord {
  hash: string
  ledger: number
  createdAt: string
  successful: boolean
  source: string
  /** The sequence number the transaction used (absent in ledgers written before it was kept) */
  sourceSequence?: string
  feeCharged: bigint
  operationCount: number
  envelopeXdr: string
  resultXdr: string
  memoType: string
  memo?: string
}

/** A payment or create_account operation, as Horizon's /payments lists them */
export interface PaymentRecord {
  id: string
  type: 'payment' | 'create_account'
  transactionHash: string
  transactionSuccessful: boolean
  ledger: number
  createdAt: string
  from: string
  to: string
  amount: bigint
  /** `native` or `CODE:ISSUER` */
  asset: string
}

export interface LedgerSnapshot {
  ledger: number
  closedAt: string
  accounts: Record<string, AccountEntry>
  transactions: TransactionRecord[]
  payments: PaymentRecord[]
}

export function emptySnapshot (): LedgerSnapshot {
  return { ledger: 1, closedAt: new Date().toISOString(), accounts: {}, transactions: [], payments: [] }
}

const BIGINT_KEYS = new Set(['balance', 'sequence', 'limit', 'feeCharged', 'amount'])

export async function loadSnapshot (file: string): Promise<LedgerSnapshot | undefined> {
  let text: string

  try {
    text = await fs.readFile(file, 'utf8')
  } catch (err: any) {
    if (err.code === 'ENOENT') {
      return undefined
    }

    throw err
  }

  return JSON.parse(text, (key, value) => BIGINT_KEYS.has(key) && typeof value === 'string' ? BigInt(value) : value)
}

export async function saveSnapshot (file: string, snapshot: LedgerSnapshot): Promise<void> {
  const tmp = `${file}.tmp`
  const handle = await fs.open(tmp, 'w', 0o600)

  try {
    await handle.writeFile(JSON.stringify(snapshot, (_key, value) => typeof value === 'bigint' ? value.toString() : value))
    await handle.sync()
  } finally {
    await handle.close()
  }

  await fs.rename(tmp, file)
  const dir = await fs.open(path.dirname(file), 'r')

  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}
