/**
 * Random runs of what can happen between a provider and a client, honest
 * and hostile: fetches, bills (for what was served, ahead of it, up to
 * part of it), bills from an identity that sent nothing, settlements, and
 * SIGKILLs of either daemon with a restart. After every step the client
 * has paid no more than the price of the wanted blocks it received plus
 * what it pays ahead, and the provider has no more unpaid service out than
 * its limits; at the end, books and the ledger agree to the stroop.
 */
import crypto from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { Keypair } from '@stellar/stellar-sdk'
import { expect } from 'aegir/chai'
import fc from 'fast-check'
import all from 'it-all'
import pWaitFor from 'p-wait-for'
import { PAYMENT_PROTOCOL } from '../../src/payments/constants.js'
import { bytesFor, priceOf } from '../../src/payments/pricing.js'
import { paymentChannel } from '../../src/payments/protocol/exchange.js'
import { createPaymentRequest } from '../../src/payments/protocol/request.js'
import { toStroops } from '../../src/stellar/amounts.js'
import { startDaemon } from '../utils/daemon.js'
import { createPaidRepo, startNode, startPaymentLedger } from '../utils/payments.js'
import { rpcCall } from '../utils/rpc.js'
import type { RunningDaemon } from '../utils/daemon.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'

const MiB = 1024 * 1024
const PRICE = '0.0100000'
const TOLERANCE = 256 * 1024
const PAY_AHEAD = 512 * 1024
const DISCONNECT = '0.0400000'
const MESSAGE = 2 * MiB

type Step =
  | { kind: 'fetch', mib: number }
  | { kind: 'bill', ahead: number, part: number }
  | { kind: 'sybil', mib: number }
  | { kind: 'settle' }
  | { kind: 'kill', who: 'provider' | 'client' }

const anyStep: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('fetch' as const), mib: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('bill' as const), ahead: fc.integer({ min: 0, max: 2 * PAY_AHEAD }), part: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('sybil' as const), mib: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('settle' as const) }),
  fc.record({ kind: fc.constant('kill' as const), who: fc.constantFrom('provider' as const, 'client' as const) })
)

describe('payments, random runs', function () {
  this.timeout(900_000)
  let ledger: PaymentLedger
  let sybil: RunningNode

  before(async () => {
    ledger = await startPaymentLedger()
    sybil = await startNode(await createPaidRepo(ledger))
  })

  after(async () => {
    await sybil?.stop()
    await ledger?.local.stop()
  })

  it('never pays for what was not received, never serves past the limits, and the books match the ledger', async () => {
    const tally = { runs: 0, steps: 0, kills: 0, paid: 0n }

    await fc.assert(fc.asyncProperty(fc.array(anyStep, { minLength: 6, maxLength: 12 }), async (steps) => {
      const providerRepo = await createPaidRepo(ledger, {
        Payments: { PricePerMiB: PRICE, SettleAmount: '1000', SettleInterval: 3_600_000 },
        Bitswap: { FreeAllowance: '1MiB', AllowanceRefreshRate: 0, PaymentThreshold: '0.0100000', BillAhead: '0', CreditLimit: '0.0300000', DisconnectLimit: DISCONNECT, ThrottleRate: '1MiB' }
      })
      const clientRepo = await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: PRICE, ByteTolerance: TOLERANCE, PayAhead: PAY_AHEAD } })
      let provider = await startDaemon(providerRepo)
      let client = await startDaemon(clientRepo)
      const rpc = async (daemon: RunningDaemon, endpoint: string, query: Record<string, string> = {}): Promise<any> => rpcCall(daemon.apiUrl, endpoint, query, 60_000)
      const addresses = { provider: (await rpc(provider, 'wallet/address')).Address, client: (await rpc(client, 'wallet/address')).Address }
      const start = { provider: await ledger.assetBalance(addresses.provider), client: await ledger.assetBalance(addresses.client) }
      const connect = async (): Promise<void> => { await client.client.swarm.connect(provider.multiaddrs[0] as any) }
      await connect()

      const check = async (after: Step): Promise<void> => {
        const what = JSON.stringify(after)
        const fetched = (await rpc(client, 'payments/peers')).Peers.find((peer: any) => peer.Peer === provider.peerId)?.Fetched
        const delivered = BigInt((await rpc(client, 'bitswap/ledger', { arg: provider.peerId })).Delivered)
        const paid = toStroops(fetched?.Paid ?? '0')
        // what the client pays for: the blocks it asked for and got, plus what it may pay ahead or tolerate
        expect(paid <= priceOf(delivered + BigInt(TOLERANCE + PAY_AHEAD), toStroops(PRICE)), `${what}: paid ${paid} for ${delivered} bytes`).to.be.true()
        expect(toStroops((await rpc(client, 'payments/peers')).Peers.find((peer: any) => peer.Peer === sybil.node.helia.libp2p.peerId.toString())?.Fetched?.Paid ?? '0')).to.equal(0n)

        const credit = await rpc(provider, 'bitswap/ledger', { arg: client.peerId })
        const limit = toStroops(DISCONNECT) + priceOf(BigInt(2 * MESSAGE), toStroops(PRICE))
        expect(toStroops(credit.Unpaid) <= limit, `${what}: ${credit.Unpaid} unpaid`).to.be.true()
      }

      try {
        for (const step of steps) {
          if (step.kind === 'fetch') {
            const { cid } = await provider.client.add(crypto.randomBytes(step.mib * MiB))
            await all(client.client.cat(cid, { signal: AbortSignal.timeout(20_000) })).catch(() => {})
          } else if (step.kind === 'bill') {
            const served = BigInt((await rpc(provider, 'bitswap/ledger', { arg: client.peerId })).Sent)
            const upTo = served * BigInt(step.part) / 4n + BigInt(step.ahead)
            await rpc(provider, 'payments/bill', { arg: client.peerId, 'up-to': upTo.toString() }).catch(() => {})
          } else if (step.kind === 'sybil') {
            await billForNothing(sybil, client, ledger, BigInt(step.mib * MiB))
          } else if (step.kind === 'settle') {
            await rpc(provider, 'payments/settle').catch(() => {})
          } else {
            const daemon = step.who === 'provider' ? provider : client
            const exited = new Promise(resolve => daemon.process.once('exit', resolve))
            daemon.process.kill('SIGKILL')
            await exited

            if (step.who === 'provider') {
              provider = await startDaemon(providerRepo)
            } else {
              client = await startDaemon(clientRepo)
            }

            await connect()
          }

          await check(step)
          tally.steps++
          tally.kills += step.kind === 'kill' ? 1 : 0
        }

        // everything paid lands (a bill under way holds its tab until it is answered), and the books agree with the ledger and each other
        const unsettled = async (): Promise<boolean> => {
          await rpc(provider, 'payments/settle')
          return (await rpc(provider, 'payments/tabs', { state: 'open' })).Tabs.some((tab: any) => tab.Peer === client.peerId && toStroops(tab.Total) > 0n)
        }
        await pWaitFor(async () => !await unsettled(), { timeout: 60_000, interval: 1_000 })
        const tabs = (await rpc(provider, 'payments/tabs')).Tabs.filter((tab: any) => tab.Peer === client.peerId)
        const settled = tabs.filter((tab: any) => tab.State === 'settled').reduce((sum: bigint, tab: any) => sum + toStroops(tab.Total), 0n)
        const served = (await rpc(provider, 'payments/peers')).Peers.find((peer: any) => peer.Peer === client.peerId)?.Served
        expect(toStroops(served?.Received ?? '0'), JSON.stringify(tabs)).to.equal(settled)
        expect(await ledger.assetBalance(addresses.provider)).to.equal((start.provider ?? 0n) + settled)
        expect(await ledger.assetBalance(addresses.client)).to.equal((start.client ?? 0n) - settled)
        tally.runs++
        tally.paid += settled
      } finally {
        await client.stop()
        await provider.stop()
      }
    }), { numRuns: 6, endOnFailure: true })

    process.stdout.write(`      ${tally.runs} runs, ${tally.steps} steps, ${tally.kills} daemons killed, ${tally.paid} stroops settled\n`)
  })
})

/** A bill, from an identity that sent the client nothing, on a real channel account */
async function billForNothing (sybil: RunningNode, client: RunningDaemon, ledger: PaymentLedger, bytes: bigint): Promise<void> {
  const channel = Keypair.random().publicKey()
  await ledger.local.ledger.friendbot(channel)
  const sequence = BigInt((await ledger.server.loadAccount(channel)).sequenceNumber()) + 1n
  const amount = priceOf(bytes, toStroops(PRICE))
  const request = await createPaymentRequest({
    payee: sybil.node.wallet.address,
    assetCode: 'TPL',
    assetIssuer: ledger.issuer,
    amount,
    rangeStart: 0n,
    rangeEnd: bytes + bytesFor(1n, toStroops(PRICE)),
    expiry: BigInt(Date.now() + 60_000),
    channel,
    sequence,
    total: amount
  }, sybil.repo.privateKey)

  const stream = paymentChannel(await sybil.node.helia.libp2p.dialProtocol(multiaddr(client.multiaddrs[0]), PAYMENT_PROTOCOL))
  await stream.write({ request })
  await stream.read({ signal: AbortSignal.timeout(15_000) }).catch(() => {})
  await stream.close()
}
