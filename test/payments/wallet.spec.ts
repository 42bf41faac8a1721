/**
 * `torplus wallet` against the local ledger: the node's own Stellar account,
 * its balances, a trustline to the payment asset and its payment history
 */
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { Asset, Horizon, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk'
import { expect } from 'aegir/chai'
import { LocalLedger } from '../../src/devnet/ledger/index.js'
import { torplus } from '../utils/cli.js'
import { createRepo, tempDir } from '../utils/repo.js'

describe('wallet', function () {
  this.timeout(60_000)
  let local: LocalLedger
  let repo: string
  let address: string
  const issuer = Keypair.random()

  const wallet = async (...args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> => torplus(['wallet', ...args], { repo })

  before(async () => {
    local = new LocalLedger({ dir: path.join(await tempDir('torplus-wallet-'), 'ledger'), logger: defaultLogger(), closeInterval: 200 })
    await local.start()
    await local.ledger.friendbot(issuer.publicKey())
    repo = await createRepo({ Payments: { Network: 'devnet', Horizon: local.url, Asset: { Code: 'TPL', Issuer: issuer.publicKey() } } })
  })

  after(async () => {
    await local?.stop()
  })

  it('has an address from the repo keystore, the same every time', async () => {
    const first = await wallet('address')
    expect(first.code, first.stderr).to.equal(0)
    address = first.stdout.trim()
    expect(address).to.match(/^G[A-Z2-7]{55}$/)
    expect((await wallet('address')).stdout.trim()).to.equal(address)
  })

  it('says when the account does not exist yet', async () => {
    const balance = await wallet('balance')
    expect(balance.code, balance.stderr).to.equal(0)
    expect(balance.stdout).to.include(`${address} does not exist on the devnet network yet`)
  })

  it('shows lumens, opens a trustline, and shows the asset once paid', async () => {
    await local.ledger.friendbot(address)
    expect((await wallet('balance')).stdout).to.equal('XLM 10000.0000000\nTPL no trustline: run `torplus wallet trust`\n')

    const trust = await wallet('trust')
    expect(trust.code, trust.stderr).to.equal(0)
    expect(trust.stdout).to.match(/^trustline open, transaction [0-9a-f]{64}\n$/)

    const server = new Horizon.Server(local.url, { allowHttp: true })
    const tx = new TransactionBuilder(await server.loadAccount(issuer.publicKey()), { fee: '100', networkPassphrase: local.ledger.passphrase })
      .addOperation(Operation.payment({ destination: address, asset: new Asset('TPL', issuer.publicKey()), amount: '12.5000001' }))
      .setTimeout(30)
      .build()
    tx.sign(issuer)
    await server.submitTransaction(tx)

    expect((await wallet('balance')).stdout).to.equal('XLM 9999.9999900\nTPL 12.5000001\n')
    const json = JSON.parse((await wallet('balance', '--json')).stdout)
    expect(json).to.include({ Address: address, Funded: true, AssetBalance: '12.5000001', Authorized: true })
  })

  it('lists payments in and out, newest first', async () => {
    const history = await wallet('history')
    expect(history.code, history.stderr).to.equal(0)
    const lines = history.stdout.trim().split('\n')
    expect(lines[0]).to.match(new RegExp(`\\+12\\.5000001 TPL from ${issuer.publicKey()}$`))
    expect(lines[lines.length - 1]).to.match(/\+10000\.0000000 XLM from G[A-Z2-7]{55}$/)
  })

  it('says what to do when Horizon is not there or not set', async () => {
    const unset = await torplus(['wallet', 'balance'], { repo: await createRepo() })
    expect(unset.code).to.equal(1)
    expect(unset.stderr).to.match(/Payments\.Horizon is not set for the devnet network: run `torplus devnet up`/)

    const gone = await torplus(['wallet', 'balance'], { repo: await createRepo({ Payments: { Horizon: 'http://127.0.0.1:9' } }) })
    expect(gone.code).to.equal(1)
    expect(gone.stderr).to.match(/Horizon at http:\/\/127\.0\.0\.1:9 did not answer/)
  })
})
