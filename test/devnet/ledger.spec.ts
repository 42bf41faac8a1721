/**
 * The local ledger, driven by the unmodified Horizon.Server of the Stellar
 * SDK with hand-built transactions: each validation rule
 * answers with Horizon's result code, balances move to the stroop, a failed
 * transaction is charged and an invalid one is not, and a restart keeps
 * everything
 */
import { createHash } from 'node:crypto'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { Account, Asset, Horizon, Keypair, MuxedAccount, Operation, StrKey, TransactionBuilder } from '@stellar/stellar-sdk'
import { expect } from 'aegir/chai'
import { LocalLedger } from '../../src/devnet/ledger/index.js'
import { toStroops } from '../../src/stellar/amounts.js'
import { tempDir } from '../utils/repo.js'
import type { Transaction } from '@stellar/stellar-sdk'

interface Codes {
  transaction: string
  operations?: string[]
}

describe('local ledger', function () {
  this.timeout(60_000)
  let dir: string
  let local: LocalLedger
  let server: Horizon.Server
  const issuer = Keypair.random()
  const alice = Keypair.random()
  const bob = Keypair.random()
  let asset: Asset

  const passphrase = (): string => local.ledger.passphrase

  async function startLedger (): Promise<void> {
    local = new LocalLedger({ dir, logger: defaultLogger(), closeInterval: 200 })
    await local.start()
    server = new Horizon.Server(local.url, { allowHttp: true })
  }

  /** A transaction from `source` with the given operations, signed by `signers` (default: source) */
  async function build (source: Keypair, operations: any[], options: { signers?: Keypair[], fee?: string, sequence?: string, timebounds?: { minTime: number, maxTime: number }, configure?(builder: TransactionBuilder): void } = {}): Promise<Transaction> {
    const account = options.sequence == null ? await server.loadAccount(source.publicKey()) : new Account(source.publicKey(), options.sequence)
    const builder = new TransactionBuilder(account, { fee: options.fee ?? '100', networkPassphrase: passphrase(), timebounds: options.timebounds })
    operations.forEach(op => builder.addOperation(op))
    options.configure?.(builder)

    if (options.timebounds == null) {
      builder.setTimeout(30)
    }

    const tx = builder.build()
    ;(options.signers ?? [source]).forEach(signer => { tx.sign(signer) })
    return tx
  }

  async function codesOf (tx: Transaction): Promise<Codes> {
    try {
      await server.submitTransaction(tx)
      return { transaction: 'tx_success' }
    } catch (err: any) {
      const codes = err.response?.data?.extras?.result_codes

      if (codes == null) {
        throw err
      }

      return codes
    }
  }

  async function balance (account: Keypair, of: Asset = Asset.native()): Promise<bigint> {
    const loaded = await server.loadAccount(account.publicKey())
    const line = loaded.balances.find((b: any) => of.isNative() ? b.asset_type === 'native' : b.asset_code === of.getCode() && b.asset_issuer === of.getIssuer())
    return line == null ? -1n : toStroops(line.balance)
  }

  const sequenceOf = async (account: Keypair): Promise<bigint> => BigInt((await server.loadAccount(account.publicKey())).sequenceNumber())

  before(async () => {
    dir = path.join(await tempDir('torplus-ledger-'), 'ledger')
    await startLedger()

    for (const account of [issuer, alice, bob]) {
      await server.friendbot(account.publicKey()).call()
    }

    asset = new Asset('TPL', issuer.publicKey())
  })

  after(async () => {
    await local?.stop()
  })

  it('funds accounts through friendbot and serves them to Horizon.Server', async () => {
    const account = await server.loadAccount(alice.publicKey())
    expect(account.accountId()).to.equal(alice.publicKey())
    expect(await balance(alice)).to.equal(toStroops('10000'))
    expect((await server.fetchBaseFee())).to.equal(100)
  })

  it('moves a custom asset: trust, issue, pay, to the stroop', async () => {
    expect(await codesOf(await build(alice, [Operation.changeTrust({ asset })]))).to.deep.equal({ transaction: 'tx_success' })
    expect(await codesOf(await build(bob, [Operation.changeTrust({ asset, limit: '1000' })]))).to.deep.equal({ transaction: 'tx_success' })
    expect(await codesOf(await build(issuer, [Operation.payment({ destination: alice.publicKey(), asset, amount: '500.0000001' })]))).to.deep.equal({ transaction: 'tx_success' })

    const before = await balance(alice)
    expect(await codesOf(await build(alice, [Operation.payment({ destination: bob.publicKey(), asset, amount: '123.4567891' })]))).to.deep.equal({ transaction: 'tx_success' })

    expect(await balance(alice, asset)).to.equal(toStroops('376.5432110'))
    expect(await balance(bob, asset)).to.equal(toStroops('123.4567891'))
    // the fee, 100 stroops, and nothing else
    expect(await balance(alice)).to.equal(before - 100n)

    const payments = await server.payments().forAccount(bob.publicKey()).call()
    expect(payments.records.map((p: any) => [p.type, p.amount ?? p.starting_balance])).to.deep.include(['payment', '123.4567891'])
  })

  it('accepts a channel-account transaction signed by the channel and the payer', async () => {
    const channel = Keypair.random()
    await server.friendbot(channel.publicKey()).call()
    const tx = await build(channel, [Operation.payment({ source: alice.publicKey(), destination: bob.publicKey(), asset, amount: '1' })], { signers: [channel, alice] })
    const aliceSequence = await sequenceOf(alice)

    expect(await codesOf(tx)).to.deep.equal({ transaction: 'tx_success' })
    expect(await balance(bob, asset)).to.equal(toStroops('124.4567891'))
    // the payer's sequence is untouched: the channel's was used
    expect(await sequenceOf(alice)).to.equal(aliceSequence)

    const unsigned = await build(channel, [Operation.payment({ source: alice.publicKey(), destination: bob.publicKey(), asset, amount: '1' })], { signers: [channel] })
    expect(await codesOf(unsigned)).to.deep.equal({ transaction: 'tx_failed', operations: ['op_bad_auth'] })
  })

  describe('refuses, with Horizon\'s codes', () => {
    const cases: Array<[string, () => Promise<Transaction>, Codes]> = [
      ['a reused sequence number', async () => build(alice, [Operation.payment({ destination: bob.publicKey(), asset: Asset.native(), amount: '1' })], { sequence: '1' }), { transaction: 'tx_bad_seq' }],
      ['a signature by the wrong key', async () => build(alice, [Operation.payment({ destination: bob.publicKey(), asset: Asset.native(), amount: '1' })], { signers: [bob] }), { transaction: 'tx_bad_auth' }],
      ['a signature nobody needs', async () => build(alice, [Operation.payment({ destination: bob.publicKey(), asset: Asset.native(), amount: '1' })], { signers: [alice, bob] }), { transaction: 'tx_bad_auth_extra' }],
      ['a fee below 100 stroops per operation', async () => build(alice, [Operation.bumpSequence({ bumpTo: '0' }), Operation.bumpSequence({ bumpTo: '0' })], { fee: '99' }), { transaction: 'tx_insufficient_fee' }],
      ['a transaction past its time bounds', async () => build(alice, [Operation.payment({ destination: bob.publicKey(), asset: Asset.native(), amount: '1' })], { timebounds: { minTime: 0, maxTime: Math.floor(Date.now() / 1000) - 60 } }), { transaction: 'tx_too_late' }],
      ['a transaction before its time bounds', async () => build(alice, [Operation.payment({ destination: bob.publicKey(), asset: Asset.native(), amount: '1' })], { timebounds: { minTime: Math.floor(Date.now() / 1000) + 3600, maxTime: 0 } }), { transaction: 'tx_too_early' }],
      ['a source account that does not exist', async () => build(Keypair.random(), [Operation.payment({ destination: bob.publicKey(), asset: Asset.native(), amount: '1' })], { sequence: '0' }), { transaction: 'tx_no_source_account' }],
      ['a payment of more than the balance', async () => build(bob, [Operation.payment({ destination: alice.publicKey(), asset, amount: '100000' })]), { transaction: 'tx_failed', operations: ['op_underfunded'] }],
      ['a payment to an account that does not exist', async () => build(alice, [Operation.payment({ destination: Keypair.random().publicKey(), asset, amount: '1' })]), { transaction: 'tx_failed', operations: ['op_no_destination'] }],
      ['a payment past the trustline limit', async () => build(issuer, [Operation.payment({ destination: bob.publicKey(), asset, amount: '900' })]), { transaction: 'tx_failed', operations: ['op_line_full'] }],
      ['an account created with less than the reserve', async () => build(alice, [Operation.createAccount({ destination: Keypair.random().publicKey(), startingBalance: '0.5' })]), { transaction: 'tx_failed', operations: ['op_low_reserve'] }],
      ['an account that already exists', async () => build(alice, [Operation.createAccount({ destination: bob.publicKey(), startingBalance: '2' })]), { transaction: 'tx_failed', operations: ['op_already_exists'] }],
      ['an account created by itself', async () => build(alice, [Operation.createAccount({ destination: alice.publicKey(), startingBalance: '2' })]), { transaction: 'tx_failed', operations: ['op_malformed'] }]
    ]

    for (const [what, tx, codes] of cases) {
      it(what, async () => {
        expect(await codesOf(await tx())).to.deep.equal(codes)
      })
    }

    it('a payment to an account that does not trust the asset, and from one that does not either', async () => {
      const carol = Keypair.random()
      await server.friendbot(carol.publicKey()).call()
      expect(await codesOf(await build(alice, [Operation.payment({ destination: carol.publicKey(), asset, amount: '1' })]))).to.deep.equal({ transaction: 'tx_failed', operations: ['op_no_trust'] })
      expect(await codesOf(await build(carol, [Operation.payment({ destination: alice.publicKey(), asset, amount: '1' })]))).to.deep.equal({ transaction: 'tx_failed', operations: ['op_src_no_trust'] })
    })

    it('a payment to a trustline the issuer has not authorized', async () => {
      const strict = Keypair.random()
      const dave = Keypair.random()
      await server.friendbot(strict.publicKey()).call()
      await server.friendbot(dave.publicKey()).call()
      const guarded = new Asset('AUTH', strict.publicKey())
      expect(await codesOf(await build(strict, [Operation.setOptions({ setFlags: 1 as any })]))).to.deep.equal({ transaction: 'tx_success' })
      expect(await codesOf(await build(dave, [Operation.changeTrust({ asset: guarded })]))).to.deep.equal({ transaction: 'tx_success' })

      expect(await codesOf(await build(strict, [Operation.payment({ destination: dave.publicKey(), asset: guarded, amount: '1' })]))).to.deep.equal({ transaction: 'tx_failed', operations: ['op_not_authorized'] })

      expect(await codesOf(await build(strict, [Operation.setTrustLineFlags({ trustor: dave.publicKey(), asset: guarded, flags: { authorized: true } })]))).to.deep.equal({ transaction: 'tx_success' })
      expect(await codesOf(await build(strict, [Operation.payment({ destination: dave.publicKey(), asset: guarded, amount: '1' })]))).to.deep.equal({ transaction: 'tx_success' })
    })

    it('a fee the account cannot pay above its reserve', async () => {
      const poor = Keypair.random()
      expect(await codesOf(await build(alice, [Operation.createAccount({ destination: poor.publicKey(), startingBalance: '1' })]))).to.deep.equal({ transaction: 'tx_success' })
      expect(await codesOf(await build(poor, [Operation.payment({ destination: alice.publicKey(), asset: Asset.native(), amount: '0.0000001' })]))).to.deep.equal({ transaction: 'tx_insufficient_balance' })
    })
  })

  describe('refuses what it does not apply, tx_not_supported, and charges nothing for it', () => {
    const pay = (): any => Operation.payment({ destination: bob.publicKey(), asset: Asset.native(), amount: '1' })
    const cases: Array<[string, () => Promise<Transaction>]> = [
      ['an extra signer that is a pre-authorized transaction', async () => build(alice, [pay()], { configure: b => b.setExtraSigners([StrKey.encodePreAuthTx(Buffer.alloc(32, 7))]) })],
      ['a minimum sequence number', async () => build(alice, [pay()], { configure: b => b.setMinAccountSequence('1') })],
      ['a minimum sequence age', async () => build(alice, [pay()], { configure: b => b.setMinAccountSequenceAge(1n) })],
      ['an operation it does not implement', async () => build(alice, [Operation.manageData({ name: 'x', value: 'y' })])],
      ['a muxed destination', async () => build(alice, [Operation.payment({ destination: new MuxedAccount(new Account(bob.publicKey(), '0'), '7').accountId(), asset: Asset.native(), amount: '1' })])],
      ['a home domain', async () => build(alice, [Operation.setOptions({ homeDomain: 'example.com' })])]
    ]

    for (const [what, tx] of cases) {
      it(what, async () => {
        const [nativeBefore, sequenceBefore] = [await balance(alice), await sequenceOf(alice)]
        expect(await codesOf(await tx())).to.deep.equal({ transaction: 'tx_not_supported' })
        expect([await balance(alice), await sequenceOf(alice)]).to.deep.equal([nativeBefore, sequenceBefore])
      })
    }
  })

  describe('applies CAP-21 preconditions as stellar-core does', () => {
    const preimage = Buffer.from('the preimage a payee reveals to claim')
    const lock = StrKey.encodeSha256Hash(createHash('sha256').update(preimage).digest())
    const pay = (): any => Operation.payment({ destination: bob.publicKey(), asset: Asset.native(), amount: '1' })
    const hashLocked = async (options: { preimage?: Buffer, maxTime?: number } = {}): Promise<Transaction> => {
      const tx = await build(alice, [pay()], { timebounds: { minTime: 0, maxTime: options.maxTime ?? 0 }, configure: b => b.setExtraSigners([lock]) })

      if (options.preimage != null) {
        tx.signHashX(options.preimage)
      }

      return tx
    }
    const latestLedger = async (): Promise<number> => (await server.ledgers().order('desc').limit(1).call()).records[0].sequence

    it('a hash lock without its preimage, or with another, is tx_bad_auth and charges nothing', async () => {
      const [nativeBefore, sequenceBefore] = [await balance(alice), await sequenceOf(alice)]
      expect(await codesOf(await hashLocked())).to.deep.equal({ transaction: 'tx_bad_auth' })
      expect(await codesOf(await hashLocked({ preimage: Buffer.from('a guess') }))).to.deep.equal({ transaction: 'tx_bad_auth' })
      expect([await balance(alice), await sequenceOf(alice)]).to.deep.equal([nativeBefore, sequenceBefore])
    })

    it('a hash lock with its preimage lands, and Horizon serves the preimage among its signatures', async () => {
      const tx = await hashLocked({ preimage, maxTime: Math.floor(Date.now() / 1000) + 60 })
      expect(await codesOf(tx)).to.deep.equal({ transaction: 'tx_success' })

      const record: any = await server.transactions().transaction(Buffer.from(tx.hash()).toString('hex')).call()
      expect(record.signatures).to.include(preimage.toString('base64'))
      expect(record.preconditions.extra_signers).to.deep.equal([lock])
      expect(record.preconditions.timebounds.max_time).to.equal(String(tx.timeBounds?.maxTime))
      expect(record.valid_before).to.be.a('string')
    })

    it('a hash lock past its maxTime is tx_too_late, preimage or not', async () => {
      expect(await codesOf(await hashLocked({ preimage, maxTime: Math.floor(Date.now() / 1000) - 5 }))).to.deep.equal({ transaction: 'tx_too_late' })
    })

    it('an extra ed25519 signer must sign, and its signature counts as used', async () => {
      expect(await codesOf(await build(alice, [pay()], { configure: b => b.setExtraSigners([bob.publicKey()]) }))).to.deep.equal({ transaction: 'tx_bad_auth' })
      expect(await codesOf(await build(alice, [pay()], { configure: b => b.setExtraSigners([bob.publicKey()]), signers: [alice, bob] }))).to.deep.equal({ transaction: 'tx_success' })
    })

    it('the same extra signer twice is tx_malformed', async () => {
      expect(await codesOf(await build(alice, [pay()], { configure: b => b.setExtraSigners([lock, lock]) }))).to.deep.equal({ transaction: 'tx_malformed' })
    })

    it('a preimage nobody asked for is tx_bad_auth_extra', async () => {
      const tx = await build(alice, [pay()])
      tx.signHashX(preimage)
      expect(await codesOf(tx)).to.deep.equal({ transaction: 'tx_bad_auth_extra' })
    })

    it('ledger bounds: before minLedger tx_too_early, from maxLedger on tx_too_late, between them applied', async () => {
      const latest = await latestLedger()
      expect(await codesOf(await build(alice, [pay()], { configure: b => b.setLedgerbounds(latest + 1000, 0) }))).to.deep.equal({ transaction: 'tx_too_early' })
      expect(await codesOf(await build(alice, [pay()], { configure: b => b.setLedgerbounds(0, latest) }))).to.deep.equal({ transaction: 'tx_too_late' })
      expect(await codesOf(await build(alice, [pay()], { configure: b => b.setLedgerbounds(latest, latest + 1000) }))).to.deep.equal({ transaction: 'tx_success' })
    })
  })

  it('charges a failed transaction its fee and sequence number, and an invalid one nothing', async () => {
    const [nativeBefore, sequenceBefore] = [await balance(bob), await sequenceOf(bob)]
    await codesOf(await build(bob, [Operation.payment({ destination: alice.publicKey(), asset, amount: '100000' })]))
    expect(await balance(bob)).to.equal(nativeBefore - 100n)
    expect(await sequenceOf(bob)).to.equal(sequenceBefore + 1n)

    await codesOf(await build(bob, [Operation.payment({ destination: alice.publicKey(), asset, amount: '1' })], { signers: [alice] }))
    expect(await balance(bob)).to.equal(nativeBefore - 100n)
    expect(await sequenceOf(bob)).to.equal(sequenceBefore + 1n)
  })

  it('bumps a sequence number only upwards, the bump transaction using up its own', async () => {
    const sequence = await sequenceOf(bob)
    expect(await codesOf(await build(bob, [Operation.bumpSequence({ bumpTo: (sequence + 10n).toString() })]))).to.deep.equal({ transaction: 'tx_success' })
    expect(await sequenceOf(bob)).to.equal(sequence + 10n)

    expect(await codesOf(await build(bob, [Operation.bumpSequence({ bumpTo: '1' })]))).to.deep.equal({ transaction: 'tx_success' })
    expect(await sequenceOf(bob)).to.equal(sequence + 11n)
  })

  it('queues several transactions of one account in one ledger', async () => {
    const sequence = await sequenceOf(alice)
    const txs = await Promise.all([0n, 1n, 2n].map(async i => build(alice, [Operation.payment({ destination: bob.publicKey(), asset, amount: '0.0000001' })], { sequence: (sequence + i).toString() })))
    const results = await Promise.all(txs.map(async tx => server.submitTransaction(tx)))

    expect(new Set(results.map(result => result.ledger)).size).to.equal(1)
    expect(await sequenceOf(alice)).to.equal(sequence + 3n)
  })

  it('keeps every account, balance and transaction across a restart', async () => {
    const before = await Promise.all([alice, bob].map(async account => [await balance(account), await balance(account, asset), await sequenceOf(account)]))
    const history = (await server.transactions().forAccount(alice.publicKey()).limit(200).call()).records.length

    await local.stop()
    await startLedger()

    expect(await Promise.all([alice, bob].map(async account => [await balance(account), await balance(account, asset), await sequenceOf(account)]))).to.deep.equal(before)
    expect((await server.transactions().forAccount(alice.publicKey()).limit(200).call()).records.length).to.equal(history)
  })
})
