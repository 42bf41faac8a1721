/**
 * Payments on the devnet: the local ledger runs as a detached process, an
 * issuer account (its key in the devnet folder) issues the payment asset,
 * and every node's account is funded, trusts the asset and holds some of it
 * before its daemon starts. The ledger keeps its state, so a second `up`
 * finds the accounts as they were and changes nothing.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { Asset, Horizon, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk'
import { updateConfigFile } from '../config/index.js'
import { loadOrCreateStellarSeed } from '../repo/index.js'
import { DEVNET_PASSPHRASE } from '../stellar/index.js'
import { startDetached, stopWithArgs } from './detached.js'
import type { AbortOptions } from '@libp2p/interface'

/** The payment asset's code on the devnet */
export const DEVNET_ASSET_CODE = 'TPL'

/** What each node's account holds of the asset after `up` */
export const DEVNET_STARTING_ASSET = '1000'

export interface DevnetLedger {
  pid: number
  url: string
  issuer: string
}

/**
 * Start `torplus devnet ledger` detached, and wait for its URL
 */
export async function startLedger (dir: string, options: AbortOptions & { onSpawn(pid: number): Promise<void>, stopWith?: number }): Promise<{ pid: number, url: string }> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 })
  const listening = /^Horizon listening on (\S+)$/m
  const { pid, output } = await startDetached({
    name: 'ledger',
    args: ['devnet', 'ledger', '--dir', dir, ...stopWithArgs(options.stopWith)],
    logFile: path.join(dir, 'ledger.log'),
    ready: output => listening.test(output),
    timeout: 30_000,
    signal: options.signal,
    onSpawn: options.onSpawn
  })

  return { pid, url: listening.exec(output)?.[1] ?? '' }
}

/**
 * Fund the issuer and every node, open the nodes' trustlines and issue them
 * the asset, then point each node's config at the ledger
 */
export async function setUpPayments (dir: string, url: string, repos: string[]): Promise<string> {
  const server = new Horizon.Server(url, { allowHttp: true })
  const issuer = Keypair.fromRawEd25519Seed(Buffer.from(await loadOrCreateStellarSeed(dir)))
  const asset = new Asset(DEVNET_ASSET_CODE, issuer.publicKey())
  await fund(server, issuer.publicKey())

  for (const repo of repos) {
    const node = Keypair.fromRawEd25519Seed(Buffer.from(await loadOrCreateStellarSeed(repo)))

    if (await fund(server, node.publicKey())) {
      await submit(server, node, Operation.changeTrust({ asset }))
      await submit(server, issuer, Operation.payment({ destination: node.publicKey(), asset, amount: DEVNET_STARTING_ASSET }))
    }

    await updateConfigFile(path.join(repo, 'config'), {
      'Payments.Network': 'devnet',
      'Payments.Horizon': url,
      'Payments.Asset.Code': DEVNET_ASSET_CODE,
      'Payments.Asset.Issuer': issuer.publicKey()
    })
  }

  return issuer.publicKey()
}

/** Create the account through friendbot; false when it already exists */
async function fund (server: Horizon.Server, address: string): Promise<boolean> {
  try {
    await server.loadAccount(address)
    return false
  } catch (err: any) {
    if (err.response?.status !== 404) {
      throw err
    }
  }

  await server.friendbot(address).call()
  return true
}

async function submit (server: Horizon.Server, signer: Keypair, operation: any): Promise<void> {
  const tx = new TransactionBuilder(await server.loadAccount(signer.publicKey()), { fee: '100', networkPassphrase: DEVNET_PASSPHRASE })
    .addOperation(operation)
    .setTimeout(60)
    .build()
  tx.sign(signer)
  await server.submitTransaction(tx)
}
