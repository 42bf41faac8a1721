/**
 * The node's Stellar account, through an unmodified Horizon.Server: its
 * address, its balances in lumens and in the payment asset, a trustline to
 * the asset, and its payment history. The secret seed comes from the repo
 * keystore and never leaves this object.
 */
import { Asset, Horizon, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk'
import { BASE_FEE, fromStroops, toStroops, DEFAULT_HORIZON, PASSPHRASES } from '../../stellar/index.js'
import { DEFAULT_HISTORY_LIMIT, DEFAULT_HORIZON_TIMEOUT, TX_VALIDITY_SECONDS } from '../constants.js'
import { AccountNotFundedError, AssetNotConfiguredError, HorizonNotConfiguredError, HorizonUnreachableError, TransactionRefusedError } from '../errors.js'
import type { StellarNetwork } from '../../stellar/index.js'
import type { AbortOptions } from '@libp2p/interface'
import type { Transaction } from '@stellar/stellar-sdk'

export interface StellarWalletInit {
  /** The account's ed25519 seed (keystore/stellar.key) */
  seed: Uint8Array
  network: StellarNetwork
  /** Horizon's URL; the network's own when absent */
  horizon?: string | null
  asset: { code: string, issuer: string | null }

  /**
   * Milliseconds one Horizon request may take
   *
   * @default 30_000
   */
  timeout?: number
}

export interface WalletBalance {
  address: string
  /** Whether the account exists on the network */
  funded: boolean
  /** Lumens, in stroops */
  native: bigint
  asset: { code: string, issuer: string | null }
  /** In the asset's stroops; null without a trustline */
  assetBalance: bigint | null
  /** Whether the issuer authorized the trustline */
  authorized: boolean
}

export interface WalletPayment {
  id: string
  type: 'payment' | 'create_account'
  direction: 'in' | 'out'
  from: string
  to: string
  /** In stroops of `asset` */
  amount: bigint
  /** `native` or `CODE:ISSUER` */
  asset: string
  createdAt: string
  transactionHash: string
}

/** What another account holds of the payment asset */
export interface AssetStanding {
  /** Whether the account exists */
  exists: boolean
  /** Stroops of the asset; null without a trustline */
  balance: bigint | null
  authorized: boolean
}

/** A transaction on the ledger, and the payments of the asset it made */
export interface LedgerTransaction {
  hash: string
  successful: boolean
  payments: Array<{ from: string, to: string, amount: bigint }>
}

/** Transactions of an account looked through for one at a given sequence number */
const SEQUENCE_LOOKBACK = 200

export class StellarWallet {
  readonly address: string
  readonly network: StellarNetwork
  private readonly keypair: Keypair
  private readonly horizonUrl?: string
  private readonly assetConfig: { code: string, issuer: string | null }
  private readonly timeout: number
  private server?: Horizon.Server

  constructor (init: StellarWalletInit) {
    this.keypair = Keypair.fromRawEd25519Seed(Buffer.from(init.seed))
    this.address = this.keypair.publicKey()
    this.network = init.network
    this.horizonUrl = init.horizon ?? DEFAULT_HORIZON[init.network]
    this.assetConfig = init.asset
    this.timeout = init.timeout ?? DEFAULT_HORIZON_TIMEOUT
  }

  /** Why payments cannot run, or undefined when they can */
  unconfigured (): Error | undefined {
    if (this.horizonUrl == null) {
      return new HorizonNotConfiguredError(this.network)
    }

    if (this.assetConfig.issuer == null) {
      return new AssetNotConfiguredError(this.assetConfig.code)
    }
  }

  get asset (): Asset {
    if (this.assetConfig.issuer == null) {
      throw new AssetNotConfiguredError(this.assetConfig.code)
    }

    return new Asset(this.assetConfig.code, this.assetConfig.issuer)
  }

  async balance (options: AbortOptions = {}): Promise<WalletBalance> {
    const account = await this.load(options).catch(err => {
      if (err instanceof AccountNotFundedError) {
        return undefined
      }

      throw err
    })
    const line = account?.balances.find((b: any) => b.asset_code === this.assetConfig.code && b.asset_issuer === this.assetConfig.issuer) as any

    return {
      address: this.address,
      funded: account != null,
      native: toStroops(account?.balances.find(b => b.asset_type === 'native')?.balance ?? '0'),
      asset: this.assetConfig,
      assetBalance: line == null ? null : toStroops(line.balance),
      authorized: line?.is_authorized === true
    }
  }

  /** Another account's standing in the payment asset */
  async standing (address: string, options: AbortOptions = {}): Promise<AssetStanding> {
    let account: Horizon.AccountResponse

    try {
      account = await this.loadAny(address, options)
    } catch (err) {
      if (err instanceof AccountNotFundedError) {
        return { exists: false, balance: null, authorized: false }
      }

      throw err
    }

    const line = account.balances.find((b: any) => b.asset_code === this.assetConfig.code && b.asset_issuer === this.assetConfig.issuer) as any
    return { exists: true, balance: line == null ? null : toStroops(line.balance), authorized: line?.is_authorized === true }
  }

  /**
   * The transaction an account (a channel) made at `sequence`, with the
   * payments of the payment asset in it; null when Horizon lists none
   */
  async transactionAt (address: string, sequence: bigint, options: AbortOptions = {}): Promise<LedgerTransaction | null> {
    options.signal?.throwIfAborted()
    let records: any[]

    try {
      records = (await this.horizon().transactions().forAccount(address).order('desc').limit(SEQUENCE_LOOKBACK).call()).records
    } catch (err: any) {
      if (err.name === 'NotFoundError' || err.response?.status === 404) {
        return null
      }

      throw this.unreachable(err)
    }

    const record = records.find(record => record.source_account === address && record.source_account_sequence === sequence.toString())

    if (record == null) {
      return null
    }

    const tx = TransactionBuilder.fromXDR(record.envelope_xdr, this.passphrase)
    const operations = 'operations' in tx ? tx.operations : []
    const payments = operations.flatMap(op => op.type === 'payment' && op.asset.equals(this.asset)
      ? [{ from: op.source ?? address, to: op.destination, amount: toStroops(op.amount) }]
      : [])

    return { hash: record.hash, successful: record.successful === true, payments }
  }

  /**
   * Open (or keep) a trustline to the payment asset; returns the transaction hash
   */
  async trust (options: AbortOptions & { limit?: string } = {}): Promise<string> {
    const asset = this.asset
    const account = await this.load(options)
    const tx = new TransactionBuilder(account, { fee: BASE_FEE.toString(), networkPassphrase: this.passphrase })
      .addOperation(Operation.changeTrust({ asset, limit: options.limit }))
      .setTimeout(TX_VALIDITY_SECONDS)
      .build()
    tx.sign(this.keypair)
    return this.submit(tx, `a trustline to ${asset.getCode()}`, options)
  }

  /** The network passphrase transactions are signed for */
  get passphrase (): string {
    return PASSPHRASES[this.network]
  }

  /** Add this account's signature */
  sign (tx: Transaction): void {
    tx.sign(this.keypair)
  }

  /**
   * Submit a signed transaction; returns its hash, throws
   * TransactionRefusedError with Stellar's result codes when it is invalid or
   * failed
   */
  async submit (tx: Transaction, what: string, options: AbortOptions = {}): Promise<string> {
    options.signal?.throwIfAborted()
    const server = this.horizon()

    try {
      return (await server.submitTransaction(tx)).hash
    } catch (err: any) {
      const codes = err.response?.data?.extras?.result_codes

      if (codes != null) {
        throw new TransactionRefusedError(what, codes)
      }

      throw this.unreachable(err)
    }
  }

  /** An account's sequence number, or null when it does not exist */
  async sequence (address: string, options: AbortOptions = {}): Promise<bigint | null> {
    try {
      return BigInt((await this.loadAny(address, options)).sequenceNumber())
    } catch (err) {
      if (err instanceof AccountNotFundedError) {
        return null
      }

      throw err
    }
  }

  /**
   * Whether Horizon knows a transaction, and whether it succeeded; null when
   * it is not on the ledger
   */
  async transaction (hash: string, options: AbortOptions = {}): Promise<{ successful: boolean, signatures: string[] } | null> {
    options.signal?.throwIfAborted()

    try {
      const record = await this.horizon().transactions().transaction(hash).call()
      return { successful: record.successful, signatures: record.signatures ?? [] }
    } catch (err: any) {
      if (err.name === 'NotFoundError' || err.response?.status === 404) {
        return null
      }

      throw this.unreachable(err)
    }
  }

  /**
   * Create an account funded from this one with `startingBalance` lumens (in
   * stroops)
   */
  async createAccount (destination: string, startingBalance: bigint, options: AbortOptions = {}): Promise<string> {
    const account = await this.load(options)
    const tx = new TransactionBuilder(account, { fee: BASE_FEE.toString(), networkPassphrase: this.passphrase })
      .addOperation(Operation.createAccount({ destination, startingBalance: fromStroops(startingBalance) }))
      .setTimeout(TX_VALIDITY_SECONDS)
      .build()
    tx.sign(this.keypair)
    return this.submit(tx, `creating account ${destination}`, options)
  }

  async history (options: AbortOptions & { limit?: number } = {}): Promise<WalletPayment[]> {
    const server = this.horizon()
    let page: Horizon.ServerApi.CollectionPage<Horizon.ServerApi.PaymentOperationRecord>

    try {
      page = await server.payments().forAccount(this.address).order('desc').limit(options.limit ?? DEFAULT_HISTORY_LIMIT).call() as any
    } catch (err: any) {
      if (err.response?.status === 404) {
        return []
      }

      throw this.unreachable(err)
    }

    return page.records.map((record: any) => {
      const from: string = record.type === 'create_account' ? record.funder : record.from
      const to: string = record.type === 'create_account' ? record.account : record.to

      return {
        id: record.id,
        type: record.type,
        direction: to === this.address ? 'in' : 'out',
        from,
        to,
        amount: toStroops(record.type === 'create_account' ? record.starting_balance : record.amount),
        asset: record.asset_type == null || record.asset_type === 'native' ? 'native' : `${record.asset_code}:${record.asset_issuer}`,
        createdAt: record.created_at,
        transactionHash: record.transaction_hash
      }
    })
  }

  private horizon (): Horizon.Server {
    if (this.horizonUrl == null) {
      throw new HorizonNotConfiguredError(this.network)
    }

    this.server ??= new Horizon.Server(this.horizonUrl, {
      allowHttp: new URL(this.horizonUrl).protocol === 'http:',
      timeout: this.timeout
    } as any)

    return this.server
  }

  private async load (options: AbortOptions): Promise<Horizon.AccountResponse> {
    return this.loadAny(this.address, options)
  }

  private async loadAny (address: string, options: AbortOptions): Promise<Horizon.AccountResponse> {
    options.signal?.throwIfAborted()
    const server = this.horizon()

    try {
      return await server.loadAccount(address)
    } catch (err: any) {
      if (err.name === 'NotFoundError' || err.response?.status === 404) {
        throw new AccountNotFundedError(address, this.network)
      }

      throw this.unreachable(err)
    }
  }

  private unreachable (err: Error): Error {
    return new HorizonUnreachableError(this.horizonUrl ?? '', err.message)
  }
}
