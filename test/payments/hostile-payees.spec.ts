/**
 * A client attacked by payees on the wire: identities that bill for what
 * they never sent, blocks pushed unasked and junk on a bitswap stream,
 * bills split fine to round up again and again, and tabs that could never
 * land. Each attack goes through the payment protocol and bitswap, and the
 * client's books and the ledger show what it paid: nothing it did not owe.
 */
import crypto from 'node:crypto'
import { Keypair } from '@stellar/stellar-sdk'
import { expect } from 'aegir/chai'
import all from 'it-all'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { BITSWAP_PROTOCOL } from '../../src/bitswap/constants.js'
import { bitswapInternals } from '../../src/bitswap/delivery-meter.js'
import { PAYMENT_PROTOCOL } from '../../src/payments/constants.js'
import { Reject } from '../../src/payments/pb/payment.js'
import { priceOf } from '../../src/payments/pricing.js'
import { paymentChannel } from '../../src/payments/protocol/exchange.js'
import { createPaymentRequest } from '../../src/payments/protocol/request.js'
import { toStroops } from '../../src/stellar/amounts.js'
import { createPaidRepo, startNode, startPaymentLedger, MANUAL_BILLING } from '../utils/payments.js'
import { varint } from '../utils/protobuf.js'
import type { PaymentMessage } from '../../src/payments/pb/payment.js'
import type { UnsignedPaymentRequest } from '../../src/payments/protocol/request.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'

const MiB = 1024 * 1024

/** A hostile payee's request to `client`, signed by the payee, on a real channel account */
async function bill (payee: RunningNode, client: RunningNode, fields: Partial<UnsignedPaymentRequest> & { channel: string, sequence: bigint }): Promise<PaymentMessage> {
  const amount = fields.amount ?? 1000n
  const request = await createPaymentRequest({
    payee: payee.node.wallet.address,
    assetCode: 'TPL',
    assetIssuer: payee.node.wallet.asset.getIssuer() ?? '',
    amount,
    rangeStart: 0n,
    rangeEnd: 4n * BigInt(MiB),
    expiry: BigInt(Date.now() + 60_000),
    total: amount,
    ...fields
  }, payee.repo.privateKey)
  await payee.node.helia.libp2p.dial(client.node.helia.libp2p.getMultiaddrs())
  const channel = paymentChannel(await payee.node.helia.libp2p.dialProtocol(client.node.helia.libp2p.peerId, PAYMENT_PROTOCOL))
  await channel.write({ request })
  const answer = await channel.read({ signal: AbortSignal.timeout(15_000) })
  await channel.close()
  return answer
}

/** A funded account to stand as a hostile payee's channel: its next sequence number */
async function channelAccount (ledger: PaymentLedger): Promise<{ channel: string, sequence: bigint }> {
  const channel = Keypair.random().publicKey()
  await ledger.local.ledger.friendbot(channel)
  return { channel, sequence: BigInt((await ledger.server.loadAccount(channel)).sequenceNumber()) + 1n }
}

/** A CID's bitswap prefix: version, codec, hash and digest length as varints */
function prefixOf (cid: CID): Uint8Array {
  return Uint8Array.from([cid.version, cid.code, cid.multihash.code, cid.multihash.digest.byteLength].flatMap(varint))
}

describe('a client against hostile payees', function () {
  this.timeout(180_000)
  let ledger: PaymentLedger
  let client: RunningNode
  const attackers: RunningNode[] = []

  const paidInAll = (): bigint => client.payments.peers().reduce((sum, peer) => sum + (peer.toPeer?.paid ?? 0n), 0n)

  before(async () => {
    ledger = await startPaymentLedger()
    client = await startNode(await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: '0.0100000' } }))
  })

  after(async () => {
    await Promise.all(attackers.map(async node => node.stop()))
    await client?.stop()
    await ledger?.local.stop()
  })

  async function attacker (): Promise<RunningNode> {
    const node = await startNode(await createPaidRepo(ledger, { Bitswap: MANUAL_BILLING }))
    attackers.push(node)
    return node
  }

  it('pays identities that sent it nothing nothing, however many there are', async () => {
    const before = await ledger.assetBalance(client.node.wallet.address)

    for (let i = 0; i < 4; i++) {
      const payee = await attacker()
      // the old slack: ByteTolerance + PayAhead, billed with nothing sent
      const answer = await bill(payee, client, { ...await channelAccount(ledger), rangeEnd: 20n * BigInt(MiB), amount: 200_000n, total: 200_000n })
      expect(answer.reject?.code, answer.reject?.reason).to.equal(Reject.Code.AMOUNT_MISMATCH)
    }

    expect(paidInAll()).to.equal(0n)
    expect(await ledger.assetBalance(client.node.wallet.address)).to.equal(before)
  })

  it('counts no block it did not ask for, nor junk on a bitswap stream, and pays for none of them', async () => {
    const payee = await attacker()
    await payee.node.helia.libp2p.dial(client.node.helia.libp2p.getMultiaddrs())
    const peer = payee.node.helia.libp2p.peerId

    // 2 MiB of blocks pushed unasked, through the payee's own bitswap
    const blocks = new Map<string, { prefix: Uint8Array, data: Uint8Array }>()

    for (let i = 0; i < 8; i++) {
      const data = crypto.randomBytes(256 * 1024)
      const cid = CID.createV1(raw.code, await sha256.digest(data))
      blocks.set(cid.toString(), { prefix: prefixOf(cid), data })
    }

    await bitswapInternals(payee.node.helia).network.sendMessage(client.node.helia.libp2p.peerId, { wantlist: new Map(), blocks, blockPresences: new Map(), full: false, pendingBytes: 0 } as any)

    // and junk on a stream of its own
    const stream = await payee.node.helia.libp2p.dialProtocol(client.node.helia.libp2p.peerId, BITSWAP_PROTOCOL)
    stream.send(crypto.randomBytes(64 * 1024))
    await stream.close()

    const counts = (): { received: bigint, delivered: bigint } => {
      const entry = client.peerTraffic.get(peer)
      return { received: entry.bytesReceived, delivered: entry.bytesDelivered }
    }
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(counts().received > 2n * BigInt(MiB)).to.be.true()
    expect(counts().delivered).to.equal(0n)

    const answer = await bill(payee, client, { ...await channelAccount(ledger), rangeEnd: 2n * BigInt(MiB), amount: 20_000n, total: 20_000n })
    expect(answer.reject?.code, answer.reject?.reason).to.equal(Reject.Code.AMOUNT_MISMATCH)
    expect(client.payments.peers().find(p => p.peer === peer.toString())?.toPeer?.paid ?? 0n).to.equal(0n)
    // and it serves on
    expect(client.node.helia.libp2p.status).to.equal('started')
  })

  it('checks the price on the running total: ten one-byte bills cost what ten bytes cost', async () => {
    const payee = await attacker()
    const peer = payee.node.helia.libp2p.peerId.toString()
    const cid = await payee.node.fs.addBytes(crypto.randomBytes(MiB))
    await client.node.helia.libp2p.dial(payee.node.helia.libp2p.getMultiaddrs())
    await all(client.node.fs.cat(cid, { signal: AbortSignal.timeout(30_000) }))
    const tab = await channelAccount(ledger)
    let paidThrough = 0n
    let total = 0n
    const codes: string[] = []

    for (let i = 0; i < 10; i++) {
      const answer = await bill(payee, client, { ...tab, rangeStart: paidThrough, rangeEnd: paidThrough + 1n, amount: 1n, total: total + 1n })

      if (answer.payment != null) {
        paidThrough += 1n
        total += 1n
      }

      codes.push(answer.reject?.code ?? 'paid')
    }

    const paid = client.payments.peers().find(p => p.peer === peer)?.toPeer?.paid ?? 0n
    expect(paid <= priceOf(10n, toStroops('0.0100000'))).to.be.true()
    expect(codes.filter(code => code === Reject.Code.PRICE_TOO_HIGH).length).to.be.at.least(9)
  })

  it('answers a peer that sends too many requests RATE_LIMITED, and nothing more', async () => {
    const payee = await attacker()
    const tab = await channelAccount(ledger)
    const codes: string[] = []

    for (let i = 0; i < 45; i++) {
      codes.push((await bill(payee, client, { ...tab, rangeEnd: 1n, amount: 1n, total: 1n })).reject?.code ?? 'paid')
    }

    expect(codes.filter(code => code === Reject.Code.RATE_LIMITED).length).to.be.at.least(10)
    expect(codes).to.not.include('paid')
  })

  it('refuses tabs on a channel that does not exist or that can never reach the sequence, reading each channel once', async () => {
    const payee = await attacker()
    const cid = await payee.node.fs.addBytes(crypto.randomBytes(MiB))
    await client.node.helia.libp2p.dial(payee.node.helia.libp2p.getMultiaddrs())
    await all(client.node.fs.cat(cid, { signal: AbortSignal.timeout(30_000) }))
    const delivered = client.peerTraffic.get(payee.node.helia.libp2p.peerId).bytesDelivered

    const wallet = client.node.wallet
    const sequence = wallet.sequence.bind(wallet)
    const reads: string[] = []
    wallet.sequence = async (address, options) => {
      reads.push(address)
      return sequence(address, options)
    }

    try {
      const missing = Keypair.random().publicKey()
      const real = await channelAccount(ledger)

      for (let i = 0; i < 4; i++) {
        expect((await bill(payee, client, { channel: missing, sequence: 1n, rangeEnd: delivered, amount: 100n, total: 100n })).reject?.code).to.equal(Reject.Code.BAD_CHANNEL)
        expect((await bill(payee, client, { ...real, sequence: real.sequence + 1_000_000n, rangeEnd: delivered, amount: 100n, total: 100n })).reject?.code).to.equal(Reject.Code.BAD_CHANNEL)
      }

      // no promise was made: nothing holds the balance
      const account = client.payments.peers().find(p => p.peer === payee.node.helia.libp2p.peerId.toString())?.toPeer
      expect(account?.unsettled ?? []).to.deep.equal([])
      expect(reads.filter(address => address === missing).length).to.be.at.most(2)
    } finally {
      wallet.sequence = sequence
    }
  })
})
