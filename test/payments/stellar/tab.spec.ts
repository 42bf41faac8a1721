/**
 * Hash-locked tab versions on the local ledger: a version locked by a hash
 * lands only with its preimage and only until its expiry, the preimage can
 * be read back off the landed transaction, and the payee's check holds a
 * payer to exactly the lock asked for (and an unlocked version to none)
 */
import { createHash, randomBytes } from 'node:crypto'
import { Asset, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk'
import { expect } from 'aegir/chai'
import { DEVNET_ASSET_CODE } from '../../../src/devnet/payments.js'
import { buildTabTransaction, checkTabTransaction, preimageAmong, unlockTabTransaction } from '../../../src/payments/stellar/tab.js'
import { issueAsset, startPaymentLedger } from '../../utils/payments.js'
import type { HashLock, TabTransactionFields } from '../../../src/payments/stellar/tab.js'
import type { PaymentLedger } from '../../utils/payments.js'
import type { Transaction } from '@stellar/stellar-sdk'

describe('hash-locked tab versions', function () {
  this.timeout(60_000)
  let ledger: PaymentLedger
  let asset: Asset
  const payer = Keypair.random()
  const payee = Keypair.random()
  const passphrase = (): string => ledger.local.ledger.passphrase

  async function submit (tx: Transaction): Promise<string> {
    try {
      await ledger.server.submitTransaction(tx)
      return 'tx_success'
    } catch (err: any) {
      return err.response?.data?.extras?.result_codes?.transaction ?? err.message
    }
  }

  /** A new channel account of the payee's, and a version of its tab at its next sequence */
  async function tab (total: bigint, lock?: HashLock): Promise<{ fields: TabTransactionFields, envelope: string, channel: Keypair }> {
    const channel = Keypair.random()
    await ledger.local.ledger.friendbot(channel.publicKey())
    const sequence = BigInt((await ledger.server.loadAccount(channel.publicKey())).sequenceNumber()) + 1n
    const fields = { channel: channel.publicKey(), sequence, payer: payer.publicKey(), payee: payee.publicKey(), asset, total, passphrase: passphrase(), lock }
    const tx = buildTabTransaction(fields)
    tx.sign(payer)
    return { fields, envelope: tx.toEnvelope().toXDR('base64'), channel }
  }

  const lockFor = (preimage: Uint8Array, seconds = 60): HashLock => ({ hash: createHash('sha256').update(preimage).digest(), expiry: Math.floor(Date.now() / 1000) + seconds })

  before(async () => {
    ledger = await startPaymentLedger()
    asset = new Asset(DEVNET_ASSET_CODE, ledger.issuer)

    for (const account of [payer, payee]) {
      await ledger.local.ledger.friendbot(account.publicKey())
      const trust = new TransactionBuilder(await ledger.server.loadAccount(account.publicKey()), { fee: '100', networkPassphrase: passphrase() })
        .addOperation(Operation.changeTrust({ asset }))
        .setTimeout(30)
        .build()
      trust.sign(account)
      await ledger.server.submitTransaction(trust)
    }

    await issueAsset(ledger, payer.publicKey(), '100')
  })

  after(async () => {
    await ledger?.local.stop()
  })

  it('lands with its preimage before expiry, and the preimage is read back off the ledger', async () => {
    const preimage = randomBytes(32)
    const lock = lockFor(preimage)
    const { fields, envelope, channel } = await tab(1234n, lock)
    const before = await ledger.assetBalance(payee.publicKey()) ?? 0n

    expect(checkTabTransaction(envelope, { ...fields, lock })).to.have.property('payer', payer.publicKey())

    const claim = unlockTabTransaction(envelope, preimage, passphrase())
    claim.sign(channel)
    expect(await submit(claim)).to.equal('tx_success')
    expect(await ledger.assetBalance(payee.publicKey())).to.equal(before + 1234n)

    const record: any = await ledger.server.transactions().transaction(Buffer.from(claim.hash()).toString('hex')).call()
    expect(Buffer.from(preimageAmong(record.signatures, lock.hash) ?? [])).to.deep.equal(preimage)
    expect(preimageAmong(record.signatures, createHash('sha256').update('other').digest())).to.equal(undefined)
  })

  it('does not land without its preimage, with another, or past its expiry', async () => {
    const preimage = randomBytes(32)
    const { envelope, channel } = await tab(10n, lockFor(preimage))
    const bare = TransactionBuilder.fromXDR(envelope, passphrase()) as Transaction
    bare.sign(channel)
    expect(await submit(bare)).to.equal('tx_bad_auth')

    const guessed = unlockTabTransaction(envelope, randomBytes(32), passphrase())
    guessed.sign(channel)
    expect(await submit(guessed)).to.equal('tx_bad_auth')

    const expired = await tab(10n, lockFor(preimage, -5))
    const late = unlockTabTransaction(expired.envelope, preimage, passphrase())
    late.sign(expired.channel)
    expect(await submit(late)).to.equal('tx_too_late')
  })

  it('holds a payer to the lock asked for, and an unlocked version to no precondition', async () => {
    const preimage = randomBytes(32)
    const lock = lockFor(preimage)
    const locked = await tab(10n, lock)
    const plain = await tab(10n)

    expect(checkTabTransaction(locked.envelope, { ...locked.fields, lock: undefined })).to.have.property('reason').that.matches(/expires/)
    expect(checkTabTransaction(locked.envelope, { ...locked.fields, lock: { ...lock, expiry: lock.expiry + 1 } })).to.have.property('reason').that.matches(/expires at/)
    expect(checkTabTransaction(locked.envelope, { ...locked.fields, lock: { ...lock, hash: randomBytes(32) } })).to.have.property('reason').that.matches(/hash alone/)
    expect(checkTabTransaction(plain.envelope, { ...plain.fields, lock })).to.have.property('reason')
    expect(checkTabTransaction(plain.envelope, plain.fields)).to.have.property('payer')

    // an unlocked version that slipped in an extra signer could never land
    const sneaky = TransactionBuilder.cloneFrom(TransactionBuilder.fromXDR(plain.envelope, passphrase()) as Transaction, { fee: '100' })
      .setExtraSigners([Keypair.random().publicKey()])
      .build()
    sneaky.sign(payer)
    expect(checkTabTransaction(sneaky.toEnvelope().toXDR('base64'), plain.fields)).to.have.property('reason').that.matches(/extra signers/)
  })
})
