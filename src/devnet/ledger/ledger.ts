/**
 * A Stellar ledger on one machine, for the devnet and the tests: it applies
 * real transaction XDR as stellar-core does (see transaction.ts), closes a
 * ledger on a timer, and keeps its state on disk. A submission is checked at
 * once against the ledger as it will be after what is already waiting (so an
 * account can queue several transactions, as with core), an invalid one is
 * refused without waiting; the rest wait for the next close, where they are
 * checked again and applied. An answer comes only after its ledger is on
 * disk, so a restart never forgets an acknowledged payment.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { Account, Keypair, Operation, TransactionBuilder, hash } from '@stellar/stellar-sdk'
import { toStroops, DEVNET_PASSPHRASE } from '../../stellar/index.js'
import { DEFAULT_CLOSE_INTERVAL } from './constants.js'
import { transactionResultXdr } from './results.js'
import { emptySnapshot, loadSnapshot, saveSnapshot } from './state.js'
import { processTransaction } from './transaction.js'
import type { Accounts } from './operations.js'
import type { AccountEntry, LedgerSnapshot, PaymentRecord, TransactionRecord } from './state.js'
import type { TransactionOutcome } from './transaction.js'
import type { ComponentLogger, Logger, Startable } from '@libp2p/interface'
import type { FeeBumpTransaction, Transaction } from '@stellar/stellar-sdk'

/** Lumens the root account starts with: all there are on the public network */
const ROOT_BALANCE = '100000000000'

/** Lumens friendbot gives a new account */
export const FRIENDBOT_AMOUNT = '10000'

export interface LedgerInit {
  /** Where the ledger keeps ledger.json */
  dir: string

  /**
   * Milliseconds between ledger closes (the public network closes every 5 s)
   *
   * @default 1_000
   */
  closeInterval?: number

  /**
   * @default 'TorPlus devnet ledger'
   */
  passphrase?: string

  logger: ComponentLogger
}

export interface SubmitResult {
  outcome: Pick<TransactionOutcome, 'kind' | 'code' | 'operations' | 'feeCharged' | 'unsupported'>
  hash: string
  ledger?: number
  envelopeXdr: string
  resultXdr: string
}

interface Pending {
  tx: Transaction | FeeBumpTransaction
  envelopeXdr: string
  resolve(result: SubmitResult): void
}

export class Ledger implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:devnet:ledger'
  readonly passphrase: string
  /** The network's root account, which holds every lumen and funds friendbot */
  readonly root: Keypair
  private readonly file: string
  private readonly closeInterval: number
  private readonly log: Logger
  private snapshot: LedgerSnapshot = emptySnapshot()
  private pending: Pending[] = []
  /** The accounts once everything pending is applied: what a new submission is checked against */
  private projected: Accounts = {}
  private timer?: ReturnType<typeof setTimeout>
  private closing?: Promise<void>

  constructor (init: LedgerInit) {
    this.file = path.join(init.dir, 'ledger.json')
    this.closeInterval = init.closeInterval ?? DEFAULT_CLOSE_INTERVAL
    this.passphrase = init.passphrase ?? DEVNET_PASSPHRASE
    this.root = Keypair.fromRawEd25519Seed(hash(Buffer.from(this.passphrase)))
    this.log = init.logger.forComponent('torplus:devnet:ledger')
  }

  async start (): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 })
    const saved = await loadSnapshot(this.file)

    if (saved == null) {
      this.snapshot = emptySnapshot()
      this.snapshot.accounts[this.root.publicKey()] = {
        id: this.root.publicKey(),
        balance: toStroops(ROOT_BALANCE),
        sequence: 0n,
        thresholds: { master: 1, low: 0, med: 0, high: 0 },
        signers: [],
        authRequired: false,
        trustlines: {},
        lastModifiedLedger: 1
      }
      await saveSnapshot(this.file, this.snapshot)
    } else {
      this.snapshot = saved
    }

    this.projected = this.snapshot.accounts
    this.log('ledger %d with %d accounts', this.snapshot.ledger, Object.keys(this.snapshot.accounts).length)
    this.schedule()
  }

  async stop (): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    await this.closing
    // what is still waiting goes into a last ledger, so nobody waits forever
    await this.close()
  }

  get latestLedger (): { sequence: number, closedAt: string } {
    return { sequence: this.snapshot.ledger, closedAt: this.snapshot.closedAt }
  }

  account (id: string): AccountEntry | undefined {
    return this.snapshot.accounts[id]
  }

  transactions (filter: (tx: TransactionRecord) => boolean = () => true): TransactionRecord[] {
    return this.snapshot.transactions.filter(filter)
  }

  payments (filter: (payment: PaymentRecord) => boolean = () => true): PaymentRecord[] {
    return this.snapshot.payments.filter(filter)
  }

  /**
   * Submit a transaction envelope (base64 XDR). Resolves once it is applied
   * and on disk, or at once when it is invalid.
   */
  async submit (envelopeXdr: string): Promise<SubmitResult> {
    const tx = TransactionBuilder.fromXDR(envelopeXdr, this.passphrase)
    const txHash = Buffer.from(tx.hash()).toString('hex')
    const check = processTransaction(tx, { accounts: this.projected, ledger: this.snapshot.ledger + 1, closeTime: nowSeconds() })

    if (check.kind === 'invalid') {
      return { outcome: check, hash: txHash, envelopeXdr, resultXdr: transactionResultXdr(check) }
    }

    this.projected = check.accounts

    return new Promise(resolve => {
      this.pending.push({ tx, envelopeXdr, resolve })
    })
  }

  /**
   * Fund a new account from the root account, with a real create_account
   * transaction, as the testnet's friendbot does
   */
  async friendbot (address: string): Promise<SubmitResult> {
    const root = this.projected[this.root.publicKey()]
    const tx = new TransactionBuilder(new Account(root.id, root.sequence.toString()), { fee: '100', networkPassphrase: this.passphrase })
      .addOperation(Operation.createAccount({ destination: address, startingBalance: FRIENDBOT_AMOUNT }))
      .setTimeout(0)
      .build()
    tx.sign(this.root)
    return this.submit(tx.toXDR())
  }

  private schedule (): void {
    this.timer = setTimeout(() => {
      this.closing = this.close()
        .catch(err => { this.log.error('could not close ledger %d - %e', this.snapshot.ledger + 1, err) })
        .finally(() => {
          this.closing = undefined

          if (this.timer != null) {
            this.schedule()
          }
        })
    }, this.closeInterval)
  }

  /** Apply what is waiting in a new ledger, save it, then answer */
  private async close (): Promise<void> {
    const batch = this.pending
    this.pending = []
    const ledger = this.snapshot.ledger + 1
    const closedAt = new Date()
    const next: LedgerSnapshot = { ...this.snapshot, ledger, closedAt: closedAt.toISOString(), transactions: [...this.snapshot.transactions], payments: [...this.snapshot.payments] }
    const answers: Array<[Pending, SubmitResult]> = []

    for (const pending of batch) {
      const outcome = processTransaction(pending.tx, { accounts: next.accounts, ledger, closeTime: Math.floor(closedAt.getTime() / 1000) })
      const txHash = Buffer.from(pending.tx.hash()).toString('hex')
      const resultXdr = transactionResultXdr(outcome)

      if (outcome.kind !== 'invalid') {
        next.accounts = outcome.accounts
        next.transactions.push(this.record(pending, outcome, txHash, resultXdr, ledger, closedAt))
        next.payments.push(...outcome.payments.map((payment, i) => ({
          ...payment,
          id: `${ledger}-${next.transactions.length}-${i}`,
          transactionHash: txHash,
          transactionSuccessful: true,
          createdAt: closedAt.toISOString()
        })))
      }

      answers.push([pending, { outcome, hash: txHash, ledger: outcome.kind === 'invalid' ? undefined : ledger, envelopeXdr: pending.envelopeXdr, resultXdr }])
    }

    if (batch.length > 0) {
      await saveSnapshot(this.file, next)
      this.log('closed ledger %d with %d transactions', ledger, batch.length)
    }

    this.snapshot = batch.length > 0 ? next : { ...this.snapshot, ledger, closedAt: next.closedAt }
    this.projected = this.pending.reduce((accounts, pending) => {
      const outcome = processTransaction(pending.tx, { accounts, ledger: ledger + 1, closeTime: nowSeconds() })
      return outcome.kind === 'invalid' ? accounts : outcome.accounts
    }, this.snapshot.accounts)

    for (const [pending, result] of answers) {
      pending.resolve(result)
    }
  }

  private record (pending: Pending, outcome: TransactionOutcome, txHash: string, resultXdr: string, ledger: number, closedAt: Date): TransactionRecord {
    const tx = pending.tx as Transaction
    const memo = tx.memo

    return {
      hash: txHash,
      ledger,
      createdAt: closedAt.toISOString(),
      successful: outcome.kind === 'success',
      source: tx.source,
      sourceSequence: tx.sequence,
      feeCharged: outcome.feeCharged,
      operationCount: tx.operations.length,
      envelopeXdr: pending.envelopeXdr,
      resultXdr,
      memoType: memo.type,
      memo: memo.value == null ? undefined : memo.value.toString()
    }
  }
}

function nowSeconds (): number {
  return Math.floor(Date.now() / 1000)
}
