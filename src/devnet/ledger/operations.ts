/**
 * What each supported operation does to the accounts, and the Horizon result
 * code it ends with: create_account, payment, change_trust, set_options and
 * set_trust_line_flags, the operations a storage node and its payers use.
 * Checks follow stellar-core's order within each operation.
 */
import { Asset } from '@stellar/stellar-sdk'
import { BASE_RESERVE, MAX_AMOUNT, toStroops } from '../../stellar/index.js'
import type { AccountEntry, PaymentRecord } from './state.js'
import type { Operation, OperationRecord } from '@stellar/stellar-sdk'

export type Accounts = Record<string, AccountEntry>

/** Threshold an operation's source must meet */
export type ThresholdLevel = 'low' | 'med' | 'high'

export interface OperationContext {
  accounts: Accounts
  /** The operation's source: its own, or the transaction's */
  source: string
  ledger: number
  /** Payments to record when the transaction succeeds */
  payments: Array<Omit<PaymentRecord, 'id' | 'transactionHash' | 'transactionSuccessful' | 'createdAt'>>
}

const AUTH_REQUIRED_FLAG = 1

export function assetKey (asset: Asset): string {
  return asset.isNative() ? 'native' : `${asset.getCode()}:${issuerOf(asset)}`
}

function issuerOf (asset: Asset): string {
  return asset.getIssuer() ?? ''
}

export function minimumBalance (account: AccountEntry): bigint {
  return (2n + BigInt(Object.keys(account.trustlines).length + account.signers.length)) * BASE_RESERVE
}

function available (account: AccountEntry): bigint {
  return account.balance - minimumBalance(account)
}

export function thresholdLevel (op: OperationRecord): ThresholdLevel {
  if (op.type === 'setTrustLineFlags' || op.type === 'allowTrust' || op.type === 'bumpSequence') {
    return 'low'
  }

  if (op.type === 'setOptions' && (op.masterWeight != null || op.lowThreshold != null || op.medThreshold != null || op.highThreshold != null || op.signer != null)) {
    return 'high'
  }

  return 'med'
}

/**
 * The checks that need no ledger state (stellar-core's checkValid); a
 * failure makes the transaction invalid
 */
export function checkWellFormed (op: OperationRecord, source: string): string | undefined {
  switch (op.type) {
    case 'createAccount':
      return toStroops(op.startingBalance) < 0n || op.destination === source ? 'op_malformed' : undefined
    case 'payment':
      return toStroops(op.amount) <= 0n ? 'op_malformed' : undefined
    case 'changeTrust':
      return !(op.line instanceof Asset) || op.line.isNative() || toStroops(op.limit) < 0n ? 'op_malformed' : undefined
    case 'setOptions':
      return [op.masterWeight, op.lowThreshold, op.medThreshold, op.highThreshold].some(value => value != null && (value < 0 || value > 255))
        ? 'op_threshold_out_of_range'
        : undefined
    case 'setTrustLineFlags':
      return op.asset.isNative() || issuerOf(op.asset) !== source ? 'op_malformed' : undefined
    case 'bumpSequence':
      return BigInt(op.bumpTo) < 0n ? 'op_bad_seq' : undefined
    default:
      return undefined
  }
}

/**
 * Apply one operation to `ctx.accounts`, returning its result code
 */
export function applyOperation (op: OperationRecord, ctx: OperationContext): string {
  const source = ctx.accounts[ctx.source]

  switch (op.type) {
    case 'createAccount': return createAccount(op, source, ctx)
    case 'payment': return payment(op, source, ctx)
    case 'changeTrust': return changeTrust(op, source, ctx)
    case 'setOptions': return setOptions(op as Operation.SetOptions, source)
    case 'setTrustLineFlags': return setTrustLineFlags(op, ctx)
    case 'bumpSequence': return bumpSequence(op, source)
    default: return 'op_not_supported'
  }
}

/** Only ever raises the sequence number */
function bumpSequence (op: Operation.BumpSequence, source: AccountEntry): string {
  const bumpTo = BigInt(op.bumpTo)

  if (bumpTo > source.sequence) {
    source.sequence = bumpTo
  }

  return 'op_success'
}

function createAccount (op: Operation.CreateAccount, source: AccountEntry, ctx: OperationContext): string {
  const amount = toStroops(op.startingBalance)

  if (ctx.accounts[op.destination] != null) {
    return 'op_already_exists'
  }

  if (amount < 2n * BASE_RESERVE) {
    return 'op_low_reserve'
  }

  if (available(source) < amount) {
    return 'op_underfunded'
  }

  source.balance -= amount
  ctx.accounts[op.destination] = {
    id: op.destination,
    balance: amount,
    sequence: BigInt(ctx.ledger) << 32n,
    thresholds: { master: 1, low: 0, med: 0, high: 0 },
    signers: [],
    authRequired: false,
    trustlines: {},
    lastModifiedLedger: ctx.ledger
  }
  ctx.payments.push({ type: 'create_account', ledger: ctx.ledger, from: source.id, to: op.destination, amount, asset: 'native' })
  return 'op_success'
}

function payment (op: Operation.Payment, source: AccountEntry, ctx: OperationContext): string {
  const amount = toStroops(op.amount)
  const destination = ctx.accounts[op.destination]

  if (destination == null) {
    return 'op_no_destination'
  }

  if (op.asset.isNative()) {
    if (available(source) < amount) {
      return 'op_underfunded'
    }

    if (destination.balance + amount > MAX_AMOUNT) {
      return 'op_line_full'
    }

    source.balance -= amount
    destination.balance += amount
  } else {
    const code = moveCredit(op.asset, amount, source, destination, ctx.accounts)

    if (code != null) {
      return code
    }
  }

  ctx.payments.push({ type: 'payment', ledger: ctx.ledger, from: source.id, to: destination.id, amount, asset: assetKey(op.asset) })
  return 'op_success'
}

/** The issuer issues and burns without a trustline; everyone else needs one */
function moveCredit (asset: Asset, amount: bigint, source: AccountEntry, destination: AccountEntry, accounts: Accounts): string | undefined {
  const key = assetKey(asset)
  const issuer = issuerOf(asset)

  if (accounts[issuer] == null) {
    return 'op_no_issuer'
  }

  const from = source.id === issuer ? undefined : source.trustlines[key]
  const to = destination.id === issuer ? undefined : destination.trustlines[key]

  if (source.id !== issuer) {
    if (from == null) return 'op_src_no_trust'
    if (!from.authorized) return 'op_src_not_authorized'
    if (from.balance < amount) return 'op_underfunded'
  }

  if (destination.id !== issuer) {
    if (to == null) return 'op_no_trust'
    if (!to.authorized) return 'op_not_authorized'
    if (to.balance + amount > to.limit) return 'op_line_full'
  }

  if (from != null) from.balance -= amount
  if (to != null) to.balance += amount
  return undefined
}

function changeTrust (op: Operation.ChangeTrust, source: AccountEntry, ctx: OperationContext): string {
  if (!(op.line instanceof Asset)) {
    return 'op_malformed'
  }

  const key = assetKey(op.line)
  const limit = toStroops(op.limit)
  const issuer = ctx.accounts[issuerOf(op.line)]
  const existing = source.trustlines[key]

  if (issuerOf(op.line) === source.id) {
    return 'op_self_not_allowed'
  }

  if (existing != null) {
    if (limit < existing.balance) {
      return 'op_invalid_limit'
    }

    if (limit === 0n) {
      // removing the trustline frees its reserve
      const { [key]: removed, ...rest } = source.trustlines
      void removed
      source.trustlines = rest
    } else {
      existing.limit = limit
    }

    return 'op_success'
  }

  if (limit === 0n) {
    return 'op_trust_line_missing'
  }

  if (issuer == null) {
    return 'op_no_issuer'
  }

  if (available(source) < BASE_RESERVE) {
    return 'op_low_reserve'
  }

  source.trustlines[key] = { balance: 0n, limit, authorized: !issuer.authRequired }
  return 'op_success'
}

function setOptions (op: Operation.SetOptions, source: AccountEntry): string {
  const flags = Number(op.setFlags ?? 0) | Number(op.clearFlags ?? 0)

  if ((flags & ~AUTH_REQUIRED_FLAG) !== 0) {
    return 'op_unknown_flag'
  }

  if (op.signer != null) {
    const key = (op.signer as { ed25519PublicKey?: string }).ed25519PublicKey

    if (key == null || key === source.id) {
      return 'op_bad_signer'
    }

    const weight = op.signer.weight ?? 0
    const others = source.signers.filter(signer => signer.key !== key)
    const adding = weight > 0 && others.length === source.signers.length

    if (adding && available(source) < BASE_RESERVE) {
      return 'op_low_reserve'
    }

    source.signers = weight > 0 ? [...others, { key, weight }] : others
  }

  source.thresholds = {
    master: op.masterWeight ?? source.thresholds.master,
    low: op.lowThreshold ?? source.thresholds.low,
    med: op.medThreshold ?? source.thresholds.med,
    high: op.highThreshold ?? source.thresholds.high
  }

  if ((Number(op.setFlags ?? 0) & AUTH_REQUIRED_FLAG) !== 0) source.authRequired = true
  if ((Number(op.clearFlags ?? 0) & AUTH_REQUIRED_FLAG) !== 0) source.authRequired = false
  return 'op_success'
}

function setTrustLineFlags (op: Operation.SetTrustLineFlags, ctx: OperationContext): string {
  const trustline = ctx.accounts[op.trustor]?.trustlines[assetKey(op.asset)]

  if (trustline == null) {
    return 'op_no_trust_line'
  }

  if (op.flags.authorized != null) {
    trustline.authorized = op.flags.authorized
  }

  return 'op_success'
}
