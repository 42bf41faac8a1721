/**
 * A local Ethereum chain (ganache, in this process) with the ENS registry
 * and a public resolver deployed, and names set under torplus.eth: what
 * `devnet up --sample` names its sample site with, and ENS lookups are
 * tested against, offline. The account is a fresh key per chain.
 */
import { createRequire } from 'node:module'
import { encode as encodeContentHash } from '@ensdomains/content-hash'
import ganache from 'ganache'
import { createPublicClient, createWalletClient, defineChain, http, labelhash, namehash, zeroHash } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { PortAllocator } from './ports.js'
import type { Abi, Hex } from 'viem'

const require = createRequire(import.meta.url)
const registryArtifact = require('@ensdomains/ens/build/contracts/ENSRegistry.json') as { abi: Abi, bytecode: Hex }
const resolverArtifact = require('@ensdomains/resolver/build/contracts/PublicResolver.json') as { abi: Abi, bytecode: Hex }

export interface EnsRecords {
  /** The `torplus` text record */
  text?: string
  /** An onion3 contenthash of this onion id (56 characters) */
  onion3?: string
}

export interface EnsChain {
  /** The JSON-RPC endpoint on loopback */
  rpc: string
  registry: Hex
  /** Give `<label>.torplus.eth` (or `label` itself when it ends in .eth) a resolver and these records */
  setName(name: string, records: EnsRecords): Promise<void>
  /** A name with an owner and no resolver */
  setOwnerOnly(name: string): Promise<void>
  stop(): Promise<void>
}

const CHAIN_ID = 1337

/** Start a chain on a loopback port, `port` or a free one */
export async function startEnsChain (options: { port?: number } = {}): Promise<EnsChain> {
  const secretKey = generatePrivateKey()
  const port = options.port ?? await new PortAllocator().next()
  const server = ganache.server({
    chain: { chainId: CHAIN_ID },
    wallet: { accounts: [{ secretKey, balance: 10n ** 21n }] },
    logging: { quiet: true }
  } as any)
  await server.listen(port, '127.0.0.1')

  const rpc = `http://127.0.0.1:${port}`
  const chain = defineChain({ id: CHAIN_ID, name: 'local', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpc] } } })
  const account = privateKeyToAccount(secretKey)
  const transport = http(rpc, { retryCount: 0 })
  const wallet = createWalletClient({ account, chain, transport })
  const reader = createPublicClient({ chain, transport, pollingInterval: 50 })

  async function deploy (artifact: { abi: Abi, bytecode: Hex }, args: unknown[]): Promise<Hex> {
    const hash = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args } as any)
    const receipt = await reader.waitForTransactionReceipt({ hash, timeout: 10_000 })

    if (receipt.contractAddress == null) {
      throw new Error('the contract was not deployed')
    }

    return receipt.contractAddress
  }

  async function send (address: Hex, abi: Abi, functionName: string, args: unknown[]): Promise<void> {
    const hash = await wallet.writeContract({ address, abi, functionName, args } as any)
    const receipt = await reader.waitForTransactionReceipt({ hash, timeout: 10_000 })

    if (receipt.status !== 'success') {
      throw new Error(`${functionName} reverted`)
    }
  }

  const registry = await deploy(registryArtifact, [])
  const resolver = await deploy(resolverArtifact, [registry])
  // the deployer owns the root: it takes eth, then torplus.eth
  await send(registry, registryArtifact.abi, 'setSubnodeOwner', [zeroHash, labelhash('eth'), account.address])
  await send(registry, registryArtifact.abi, 'setSubnodeOwner', [namehash('eth'), labelhash('torplus'), account.address])

  /** `name` owned by us, its parent first */
  async function own (name: string): Promise<void> {
    const [label, ...rest] = name.split('.')
    await send(registry, registryArtifact.abi, 'setSubnodeOwner', [namehash(rest.join('.')), labelhash(label), account.address])
  }

  return {
    rpc,
    registry,
    async setName (name, records) {
      await own(name)
      await send(registry, registryArtifact.abi, 'setResolver', [namehash(name), resolver])

      if (records.text != null) {
        await send(resolver, resolverArtifact.abi, 'setText', [namehash(name), 'torplus', records.text])
      }

      if (records.onion3 != null) {
        await send(resolver, resolverArtifact.abi, 'setContenthash', [namehash(name), `0x${encodeContentHash('onion3', records.onion3)}`])
      }
    },
    async setOwnerOnly (name) {
      await own(name)
    },
    async stop () {
      await server.close()
    }
  }
}
