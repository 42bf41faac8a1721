/**
 * Ten thousand identities, each of which connects, takes a block free,
 * bills the provider for what it never sent and sends junk on the payment
 * protocol, then goes. The provider's memory and datastore stay bounded:
 * what it keeps of such a peer is forgotten once it is idle, and nothing of
 * its bills is written at all.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { tcp } from '@libp2p/tcp'
import { Keypair } from '@stellar/stellar-sdk'
import { expect } from 'aegir/chai'
import * as lp from 'it-length-prefixed'
import { createLibp2p } from 'libp2p'
import pWaitFor from 'p-wait-for'
import { BITSWAP_PROTOCOL } from '../src/bitswap/constants.js'
import { PAYMENT_PROTOCOL } from '../src/payments/constants.js'
import { paymentChannel } from '../src/payments/protocol/exchange.js'
import { createPaymentRequest } from '../src/payments/protocol/request.js'
import { createPaidRepo, startNode, startPaymentLedger } from './utils/payments.js'
import { wantlistMessage } from './utils/protobuf.js'
import type { PaymentLedger, RunningNode } from './utils/payments.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { CID } from 'multiformats/cid'

const IDENTITIES = 10_000
const AT_ONCE = 8

v8.setFlagsFromString('--expose-gc')
const gc: () => void = vm.runInNewContext('gc')

/** One identity's visit: a free block, a bill for nothing, junk; then it is gone */
async function visit (provider: { addrs: Multiaddr[], payee: string, issuer: string }, cid: CID): Promise<void> {
  const privateKey = await generateKeyPair('Ed25519')
  const node = await createLibp2p({ privateKey, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionManager: { resolvers: {} } })
  const received = new Promise<void>(resolve => {
    void node.handle(BITSWAP_PROTOCOL, async (stream) => {
      for await (const chunk of stream) { void chunk }
      resolve()
    })
  })

  try {
    const signal = AbortSignal.timeout(30_000)
    const wants = await node.dialProtocol(provider.addrs, BITSWAP_PROTOCOL, { signal })
    wants.send(lp.encode.single(wantlistMessage([cid])))
    await wants.close({ signal })
    await Promise.race([received, new Promise(resolve => setTimeout(resolve, 5_000))])

    const bill = paymentChannel(await node.dialProtocol(provider.addrs, PAYMENT_PROTOCOL, { signal }))
    await bill.write({
      request: await createPaymentRequest({
        payee: Keypair.random().publicKey(),
        assetCode: 'TPL',
        assetIssuer: provider.issuer,
        amount: 1000n,
        rangeStart: 0n,
        rangeEnd: 1024n * 1024n,
        expiry: BigInt(Date.now() + 60_000),
        channel: provider.payee,
        sequence: 1n,
        total: 1000n
      }, privateKey)
    }, { signal })
    await bill.read({ signal })
    await bill.close({ signal })

    const junk = await node.dialProtocol(provider.addrs, PAYMENT_PROTOCOL, { signal })
    junk.send(Uint8Array.from([0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]))
    await junk.close({ signal }).catch(() => {})
  } finally {
    await node.stop()
  }
}

async function sizeOf (dir: string): Promise<number> {
  let size = 0

  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      size += (await fs.stat(path.join(entry.parentPath, entry.name))).size
    }
  }

  return size
}

describe('ten thousand identities', function () {
  this.timeout(900_000)
  let ledger: PaymentLedger
  let provider: RunningNode

  before(async () => {
    ledger = await startPaymentLedger()
    provider = await startNode(await createPaidRepo(ledger, {
      Swarm: { OnionOnly: false, ConnMgr: { InboundRate: 100_000, HighWater: 1_000, LowWater: 900 } },
      Bitswap: { ForgetIdle: 5_000 }
    }))
  })

  after(async () => {
    await provider?.stop()
    await ledger?.local.stop()
  })

  it('costs the provider no memory or disk that lasts', async () => {
    const cid = await provider.node.fs.addBytes(new Uint8Array(1024).fill(7))
    const target = { addrs: provider.node.helia.libp2p.getMultiaddrs(), payee: provider.node.wallet.address, issuer: ledger.issuer }
    const datastore = path.join(provider.repo.path, 'datastore')
    await visit(target, cid)
    gc()
    const before = { heap: process.memoryUsage().heapUsed, disk: await sizeOf(datastore) }

    let next = 0
    await Promise.all(Array.from({ length: AT_ONCE }, async () => {
      while (next < IDENTITIES) {
        next++
        await visit(target, cid)
      }
    }))

    // each took its block
    expect(provider.bitswapTraffic.stat().bytesSent > BigInt(IDENTITIES * 1024)).to.be.true()

    // nothing of their bills was written, and no account was opened for them
    expect(provider.payments.peers()).to.deep.equal([])
    const refused = (await provider.node.registry.metrics()).match(/^torplus_payment_requests_received_total\{outcome="AMOUNT_MISMATCH"\} (\d+)$/m)
    expect(Number(refused?.[1])).to.be.greaterThan(IDENTITIES * 0.9)

    // idle, they are forgotten
    await pWaitFor(() => provider.peerTraffic.entries().length < 10, { timeout: 60_000, interval: 500 })
    expect(provider.node.helia.libp2p.getConnections()).to.have.lengthOf(0)
    // a stream's timers (libp2p's, bitswap's: up to a minute) hold it until they fire
    await new Promise(resolve => setTimeout(resolve, 65_000))
    gc()
    const after = { heap: process.memoryUsage().heapUsed, disk: await sizeOf(datastore) }
    const figures = `heap ${((after.heap - before.heap) / 1048576).toFixed(1)} MiB more, datastore ${((after.disk - before.disk) / 1048576).toFixed(1)} MiB more after ${IDENTITIES} identities (${before.disk} bytes before)`
    process.stdout.write(`      ${figures}\n`)

    expect(after.heap - before.heap, figures).to.be.below(64 * 1048576)
    expect(after.disk - before.disk, figures).to.be.below(IDENTITIES * 2048)
  })
})
