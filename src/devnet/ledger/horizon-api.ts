/**
 * The Horizon endpoints that @stellar/stellar-sdk's Horizon.Server calls for
 * accounts, payments and transactions, in Horizon's JSON shapes (what the
 * SDK relies on: sequence as a string, `_links.data` on accounts, a valid
 * `result_xdr`, 400 `transaction_failed` problems with `result_codes`)
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { BASE_FEE, BASE_RESERVE, fromStroops } from '../../stellar/index.js'
import { envelopeFields } from './envelope-json.js'
import type { Ledger, SubmitResult } from './ledger.js'
import type { AccountEntry, PaymentRecord, TransactionRecord } from './state.js'
import type { Context } from 'hono'

const Page = z.object({
  order: z.enum(['asc', 'desc']).default('asc'),
  limit: z.coerce.number().int().min(1).max(200).default(10),
  cursor: z.string().regex(/^(now|\d+)$/).optional()
})

function problem (c: Context, status: 400 | 404 | 405 | 500, title: string, detail: string, extras?: unknown): Response {
  return c.json({ type: `https://stellar.org/horizon-errors/${title.toLowerCase().replace(/ /g, '_')}`, title, status, detail, ...(extras == null ? {} : { extras }) }, status)
}

function accountJson (base: string, account: AccountEntry): unknown {
  const self = `${base}/accounts/${account.id}`
  const balances = Object.entries(account.trustlines).map(([key, line]) => {
    const [code, issuer] = key.split(':')
    return {
      balance: fromStroops(line.balance),
      limit: fromStroops(line.limit),
      buying_liabilities: '0.0000000',
      selling_liabilities: '0.0000000',
      last_modified_ledger: account.lastModifiedLedger,
      is_authorized: line.authorized,
      is_authorized_to_maintain_liabilities: line.authorized,
      asset_type: code.length <= 4 ? 'credit_alphanum4' : 'credit_alphanum12',
      asset_code: code,
      asset_issuer: issuer
    }
  })

  return {
    _links: {
      self: { href: self },
      transactions: { href: `${self}/transactions{?cursor,limit,order}`, templated: true },
      operations: { href: `${self}/operations{?cursor,limit,order}`, templated: true },
      payments: { href: `${self}/payments{?cursor,limit,order}`, templated: true },
      effects: { href: `${self}/effects{?cursor,limit,order}`, templated: true },
      offers: { href: `${self}/offers{?cursor,limit,order}`, templated: true },
      trades: { href: `${self}/trades{?cursor,limit,order}`, templated: true },
      data: { href: `${self}/data/{key}`, templated: true }
    },
    id: account.id,
    account_id: account.id,
    sequence: account.sequence.toString(),
    subentry_count: Object.keys(account.trustlines).length + account.signers.length,
    last_modified_ledger: account.lastModifiedLedger,
    thresholds: { low_threshold: account.thresholds.low, med_threshold: account.thresholds.med, high_threshold: account.thresholds.high },
    flags: { auth_required: account.authRequired, auth_revocable: false, auth_immutable: false, auth_clawback_enabled: false },
    balances: [...balances, {
      balance: fromStroops(account.balance),
      buying_liabilities: '0.0000000',
      selling_liabilities: '0.0000000',
      asset_type: 'native'
    }],
    signers: [
      ...account.signers.map(signer => ({ weight: signer.weight, key: signer.key, type: 'ed25519_public_key' })),
      { weight: account.thresholds.master, key: account.id, type: 'ed25519_public_key' }
    ],
    num_sponsoring: 0,
    num_sponsored: 0,
    data: {},
    paging_token: account.id
  }
}

function transactionJson (base: string, tx: TransactionRecord, passphrase: string): unknown {
  return {
    _links: { self: { href: `${base}/transactions/${tx.hash}` } },
    id: tx.hash,
    paging_token: pagingToken(tx.ledger, tx.hash),
    successful: tx.successful,
    hash: tx.hash,
    ledger: tx.ledger,
    created_at: tx.createdAt,
    source_account: tx.source,
    ...(tx.sourceSequence == null ? {} : { source_account_sequence: tx.sourceSequence }),
    fee_charged: tx.feeCharged.toString(),
    max_fee: tx.feeCharged.toString(),
    operation_count: tx.operationCount,
    envelope_xdr: tx.envelopeXdr,
    result_xdr: tx.resultXdr,
    ...envelopeFields(tx.envelopeXdr, passphrase),
    memo_type: tx.memoType,
    ...(tx.memo == null ? {} : { memo: tx.memo })
  }
}

function paymentJson (base: string, payment: PaymentRecord): unknown {
  const [code, issuer] = payment.asset.split(':')
  const asset = payment.asset === 'native'
    ? { asset_type: 'native' }
    : { asset_type: code.length <= 4 ? 'credit_alphanum4' : 'credit_alphanum12', asset_code: code, asset_issuer: issuer }
  const common = {
    _links: { transaction: { href: `${base}/transactions/${payment.transactionHash}` } },
    id: payment.id,
    paging_token: payment.id,
    transaction_successful: payment.transactionSuccessful,
    source_account: payment.from,
    type: payment.type,
    created_at: payment.createdAt,
    transaction_hash: payment.transactionHash
  }

  return payment.type === 'create_account'
    ? { ...common, type_i: 0, starting_balance: fromStroops(payment.amount), funder: payment.from, account: payment.to }
    : { ...common, type_i: 1, ...asset, from: payment.from, to: payment.to, amount: fromStroops(payment.amount) }
}

/** Records are ordered by ledger, then by position; a paging token is "<ledger><index>" */
function pagingToken (ledger: number, id: string): string {
  return `${ledger}-${id}`
}

function collection<T> (c: Context, records: T[], toJson: (record: T) => unknown, token: (record: T) => string): Response {
  const page = Page.safeParse(c.req.query())

  if (!page.success) {
    return problem(c, 400, 'Bad Request', page.error.issues.map(issue => `${issue.path.join('.')}: ${issue.message}`).join('; '))
  }

  const { order, limit, cursor } = page.data
  const ordered = order === 'asc' ? records : [...records].reverse()
  const start = cursor == null ? 0 : Math.max(0, ordered.findIndex(record => token(record) === cursor) + 1)
  const slice = ordered.slice(start, start + limit)
  const url = new URL(c.req.url)
  const link = (at?: string): { href: string } => {
    const next = new URL(url)
    if (at != null) next.searchParams.set('cursor', at)
    return { href: next.toString() }
  }

  return c.json({
    _links: { self: link(cursor), next: link(slice.length > 0 ? token(slice[slice.length - 1]) : cursor), prev: link(slice.length > 0 ? token(slice[0]) : cursor) },
    _embedded: { records: slice.map(toJson) }
  })
}

function submitted (c: Context, base: string, result: SubmitResult): Response {
  if (result.outcome.kind === 'success') {
    return c.json({ hash: result.hash, ledger: result.ledger, successful: true, envelope_xdr: result.envelopeXdr, result_xdr: result.resultXdr, _links: { transaction: { href: `${base}/transactions/${result.hash}` } } })
  }

  const codes = result.outcome.code === 'tx_failed'
    ? { transaction: 'tx_failed', operations: result.outcome.operations.map(op => op.code) }
    : { transaction: result.outcome.code }

  const detail = result.outcome.unsupported == null
    ? 'The transaction failed when submitted to the stellar network. The `extras.result_codes` field on this response contains further details.'
    : `The transaction uses ${result.outcome.unsupported}, which the TorPlus devnet ledger does not apply.`

  return problem(c, 400, 'Transaction Failed', detail, {
    envelope_xdr: result.envelopeXdr,
    result_xdr: result.resultXdr,
    result_codes: codes
  })
}

export function horizonApi (ledger: Ledger): Hono {
  const app = new Hono()
  const base = (c: Context): string => new URL(c.req.url).origin

  app.get('/', (c) => c.json({
    horizon_version: 'torplus-devnet',
    core_version: 'torplus-devnet',
    history_latest_ledger: ledger.latestLedger.sequence,
    core_latest_ledger: ledger.latestLedger.sequence,
    network_passphrase: ledger.passphrase,
    current_protocol_version: 23,
    supported_protocol_version: 23
  }))

  const paymentsOf = (id: string) => (payment: PaymentRecord) => payment.from === id || payment.to === id

  app.get('/accounts/:id', (c) => {
    const account = ledger.account(c.req.param('id'))
    return account == null ? problem(c, 404, 'Resource Missing', 'The resource at the url requested was not found.') : c.json(accountJson(base(c), account))
  })

  app.get('/accounts/:id/transactions', (c) => {
    const id = c.req.param('id')
    // its own, and those that paid it or that it paid from another source (a channel account)
    const involved = new Set(ledger.payments(paymentsOf(id)).map(payment => payment.transactionHash))
    return collection(c, ledger.transactions(tx => tx.source === id || involved.has(tx.hash)), tx => transactionJson(base(c), tx, ledger.passphrase), tx => pagingToken(tx.ledger, tx.hash))
  })

  app.get('/accounts/:id/payments', (c) => collection(c, ledger.payments(paymentsOf(c.req.param('id'))), p => paymentJson(base(c), p), p => p.id))
  app.get('/accounts/:id/operations', (c) => collection(c, ledger.payments(paymentsOf(c.req.param('id'))), p => paymentJson(base(c), p), p => p.id))
  app.get('/payments', (c) => collection(c, ledger.payments(), p => paymentJson(base(c), p), p => p.id))
  app.get('/transactions', (c) => collection(c, ledger.transactions(), tx => transactionJson(base(c), tx, ledger.passphrase), tx => pagingToken(tx.ledger, tx.hash)))

  app.get('/transactions/:hash', (c) => {
    const [tx] = ledger.transactions(record => record.hash === c.req.param('hash'))
    return tx == null ? problem(c, 404, 'Resource Missing', 'The resource at the url requested was not found.') : c.json(transactionJson(base(c), tx, ledger.passphrase))
  })

  app.post('/transactions', async (c) => {
    const body = await c.req.parseBody()
    const envelope = body.tx

    if (typeof envelope !== 'string' || envelope === '') {
      return problem(c, 400, 'Transaction Malformed', 'Horizon could not decode the transaction envelope in this request: the form field "tx" is missing.')
    }

    try {
      return submitted(c, base(c), await ledger.submit(envelope))
    } catch (err: any) {
      return problem(c, 400, 'Transaction Malformed', `Horizon could not decode the transaction envelope in this request: ${err.message}`)
    }
  })

  app.get('/fee_stats', (c) => {
    const fees = Object.fromEntries(['max', 'min', 'mode', 'p10', 'p20', 'p30', 'p40', 'p50', 'p60', 'p70', 'p80', 'p90', 'p95', 'p99'].map(key => [key, String(BASE_FEE)]))
    return c.json({ last_ledger: String(ledger.latestLedger.sequence), last_ledger_base_fee: String(BASE_FEE), ledger_capacity_usage: '0.00', fee_charged: fees, max_fee: fees })
  })

  app.get('/ledgers', (c) => {
    const { sequence, closedAt } = ledger.latestLedger
    return c.json({
      _links: { self: { href: c.req.url } },
      _embedded: { records: [{ id: String(sequence), paging_token: String(sequence), sequence, closed_at: closedAt, base_fee_in_stroops: Number(BASE_FEE), base_reserve_in_stroops: Number(BASE_RESERVE), max_tx_set_size: 1000, protocol_version: 23 }] }
    })
  })

  app.get('/friendbot', async (c) => {
    const address = c.req.query('addr') ?? ''

    if (!/^G[A-Z2-7]{55}$/.test(address)) {
      return problem(c, 400, 'Bad Request', 'friendbot needs ?addr=<a G… account address>')
    }

    return submitted(c, base(c), await ledger.friendbot(address))
  })

  app.notFound((c) => problem(c, 404, 'Resource Missing', 'The resource at the url requested was not found.'))

  return app
}
