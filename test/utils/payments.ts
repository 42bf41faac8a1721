/**
 * In-process nodes on loopback TCP, paid through an in-process local ledger:
 * an issuer, every node funded and (unless told otherwise) trusting and
 * holding the devnet asset, as `devnet up` leaves them
 */
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { Asset, Horizon, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk'
import { expect } from 'aegir/chai'
import { LocalLedger } from '../../src/devnet/ledger/index.js'
import { DEVNET_ASSET_CODE, setUpPayments } from '../../src/devnet/payments.js'
import { EPHEMERAL_HTTP_ADDRESSES } from '../../src/devnet/ports.js'
import { createTorPlusNode } from '../../src/node.js'
import { openRepo } from '../../src/repo/index.js'
import { loadOrCreateStellarSeed } from '../../src/repo/keys.js'
import { toStroops } from '../../src/stellar/amounts.js'
import { DEVNET_PASSPHRASE } from '../../src/stellar/networks.js'
import { createRepo, tempDir } from './repo.js'
import type { BitswapTrafficMeter, CreditGate, PeerTrafficStore } from '../../src/bitswap/index.js'
import type { TorNetwork } from '../../src/devnet/tor-network.js'
import type { TorPlusNode } from '../../src/node.js'
import type { PaymentService } from '../../src/payments/index.js'
import type { Repo } from '../../src/repo/index.js'

export interface PaymentLedger {
  local: LocalLedger
  /** Folder of the issuer's key */
  dir: string
  issuer: string
  server: Horizon.Server
  /** An account's balance of the asset, in stroops; null without a trustline */
  assetBalance(address: string): Promise<bigint | null>
  nativeBalance(address: string): Promise<bigint>
}

/**
 * Bitswap settings under which a provider bills only when told to (no free
 * allowance, limits no test reaches), for tests of the payment protocol itself
 */
export const MANUAL_BILLING = {
  FreeAllowance: 0,
  PaymentThreshold: '100000',
  CreditLimit: '200000',
  DisconnectLimit: '300000'
}

export async function startPaymentLedger (): Promise<PaymentLedger> {
  const dir = await tempDir('torplus-pay-ledger-')
  const local = new LocalLedger({ dir: path.join(dir, 'ledger'), logger: defaultLogger(), closeInterval: 100 })
  await local.start()
  const issuer = await setUpPayments(dir, local.url, [])
  const server = new Horizon.Server(local.url, { allowHttp: true })
  const asset = new Asset(DEVNET_ASSET_CODE, issuer)

  return {
    local,
    dir,
    issuer,
    server,
    async assetBalance (address) {
      const account = await server.loadAccount(address)
      const line = account.balances.find((b: any) => b.asset_code === asset.getCode() && b.asset_issuer === asset.getIssuer()) as any
      return line == null ? null : toStroops(line.balance)
    },
    async nativeBalance (address) {
      const account = await server.loadAccount(address)
      return toStroops(account.balances.find(b => b.asset_type === 'native')?.balance ?? '0')
    }
  }
}

/**
 * A repo in loopback development mode, with no DHT, set up for payments on
 * the ledger; with `trust: false` its account is funded but holds no
 * trustline
 */
export async function createPaidRepo (ledger: PaymentLedger, config: Record<string, any> = {}, options: { trust?: boolean } = {}): Promise<string> {
  if (options.trust === false) {
    const repo = await createRepo({ Routing: { Type: 'none' }, ...config, Payments: { ...config.Payments, Network: 'devnet', Horizon: ledger.local.url, Asset: { Code: DEVNET_ASSET_CODE, Issuer: ledger.issuer } } })
    await ledger.local.ledger.friendbot(Keypair.fromRawEd25519Seed(Buffer.from(await loadOrCreateStellarSeed(repo))).publicKey())
    return repo
  }

  const repo = await createRepo({ Routing: { Type: 'none' }, ...config })
  await setUpPayments(ledger.dir, ledger.local.url, [repo])
  return repo
}

/**
 * As createPaidRepo, for an onion-only node on a private tor network, with
 * its HTTP interfaces on loopback
 */
export async function createOnionPaidRepo (ledger: PaymentLedger, network: Pick<TorNetwork, 'clientConfig'>, config: Record<string, any> = {}, options: { trust?: boolean } = {}): Promise<string> {
  return createPaidRepo(ledger, {
    Addresses: EPHEMERAL_HTTP_ADDRESSES,
    Swarm: { OnionOnly: true },
    Tor: { ExtraConfig: network.clientConfig() },
    ...config
  }, options)
}

/** Pay `amount` of the asset to `address` from the issuer: it must trust the asset */
export async function issueAsset (ledger: PaymentLedger, address: string, amount: string): Promise<void> {
  const issuer = Keypair.fromRawEd25519Seed(Buffer.from(await loadOrCreateStellarSeed(ledger.dir)))
  const tx = new TransactionBuilder(await ledger.server.loadAccount(issuer.publicKey()), { fee: '100', networkPassphrase: DEVNET_PASSPHRASE })
    .addOperation(Operation.payment({ destination: address, asset: new Asset(DEVNET_ASSET_CODE, issuer.publicKey()), amount }))
    .setTimeout(60)
    .build()
  tx.sign(issuer)
  await ledger.server.submitTransaction(tx)
}

export interface RunningNode {
  node: TorPlusNode
  repo: Repo
  /** The node's payment service; throws if it has none */
  readonly payments: PaymentService
  /** The node's credit gate, if it charges */
  readonly creditGate?: CreditGate
  readonly peerTraffic: PeerTrafficStore
  readonly bitswapTraffic: BitswapTrafficMeter
  stop(): Promise<void>
}

export async function startNode (repoPath: string): Promise<RunningNode> {
  const repo = await openRepo(repoPath, { command: 'test' })
  const node = createTorPlusNode({ repo })
  await node.start()

  return {
    node,
    repo,
    get payments () {
      const payments = node.services.payments

      if (payments == null) {
        expect.fail('the node runs no payment service')
      }

      return payments
    },
    get creditGate () { return node.services.creditGate },
    get peerTraffic () { return node.services.peerTraffic },
    get bitswapTraffic () { return node.services.bitswapTraffic },
    async stop () {
      await node.stop()
      await repo.close()
    }
  }
}

/** Two nodes billing by hand only (MANUAL_BILLING), the second connected to the first */
export async function startConnectedPair (ledger: PaymentLedger): Promise<[RunningNode, RunningNode]> {
  const node = await startNode(await createPaidRepo(ledger, { Bitswap: MANUAL_BILLING }))
  const peer = await startNode(await createPaidRepo(ledger, { Bitswap: MANUAL_BILLING }))
  await peer.node.helia.libp2p.dial(node.node.helia.libp2p.getMultiaddrs())
  return [node, peer]
}
