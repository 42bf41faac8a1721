/**
 * Routed payments survive SIGKILL. A provider daemon bills a client daemon
 * in small steps, paid through three relay daemons (every payment passes
 * all three). Each role is killed at each step of ROUTES.md's crash table,
 * at the exact log line that marks it (crash-on-log.ts), restarted, and
 * billing goes on until the provider holds what it billed. Then one of the
 * five, drawn at random, is killed at a random moment, round after round
 * (victims and moments come from a seed the test prints; CRASH_SEED=<seed>
 * replays them). Afterwards, once every lock has resolved and everything is
 * settled, the two books agree on what was paid for, the client's debits
 * are what its fulfilled payments cost (the provider's credits plus the
 * fees), and no stroop left the five accounts.
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { expect } from 'aegir/chai'
import all from 'it-all'
import pWaitFor from 'p-wait-for'
import { EPHEMERAL_HTTP_ADDRESSES } from '../../../src/devnet/ports.js'
import { toStroops } from '../../../src/stellar/amounts.js'
import { startDaemon } from '../../utils/daemon.js'
import { createPaidRepo, startPaymentLedger, MANUAL_BILLING } from '../../utils/payments.js'
import { tempDir } from '../../utils/repo.js'
import { rpcCall } from '../../utils/rpc.js'
import { seeded } from '../../utils/seeded.js'
import type { RunningDaemon } from '../../utils/daemon.js'
import type { PaymentLedger } from '../../utils/payments.js'

const ROUNDS = 4
const STEP = 64 * 1024
const SEED = Number(process.env.CRASH_SEED ?? crypto.randomInt(2 ** 31))
const SHORT = { FinalDelta: 5_000, ClaimMargin: 2_000 }
const SETTLE = { SettleAmount: '1000', SettleInterval: 3_600_000 }
const ROLES = ['client', 'relay0', 'relay1', 'relay2', 'provider'] as const
type Role = typeof ROLES[number]

/**
 * ROUTES.md's crash table: who dies, at which log line (torplus:payments),
 * and what that step is. `guard` is the client's first relay, `middle` and
 * `last` the two others (each route orders them anew); a settlement is asked
 * for by RPC.
 */
const CRASH_POINTS: Array<{ victim: Role | 'guard' | 'middle' | 'last', at: string, step: string, settle?: true }> = [
  { victim: 'provider', at: 'billing .* stroops for bytes', step: 'the provider after issuing a request' },
  { victim: 'client', at: 'paying .* through \\d+ relays', step: 'the client after promising a routed payment, before signing its lock' },
  { victim: 'client', at: 'sending our lock', step: 'the client after signing its lock, before the guard holds it' },
  { victim: 'guard', at: 'forwarding ', step: 'a relay after holding the incoming lock, before signing its own' },
  { victim: 'middle', at: 'sending our lock', step: 'a relay past the guard after signing its outgoing lock' },
  { victim: 'last', at: 'forwarding ', step: 'another relay past the guard after holding the incoming lock' },
  { victim: 'provider', at: 'took a routed payment', step: 'the provider after holding the lock, before releasing the preimage' },
  { victim: 'last', at: 'the preimage of .* from', step: 'a relay past the guard that learned the preimage, before syncing it' },
  { victim: 'middle', at: 'payment .* fulfilled by', step: 'a relay past the guard holding the preimage, before its downstream has the unconditional version' },
  { victim: 'guard', at: 'payment .* fulfilled by', step: 'the guard holding the preimage, before the client learns it' },
  { victim: 'client', at: 'the preimage of .* from', step: 'the client that learned the preimage, before syncing it' },
  { victim: 'client', at: 'payment .* fulfilled by', step: 'the client holding the preimage, before the guard has the unconditional version' },
  { victim: 'guard', at: 'settling .* stroops', step: 'the guard between recording a settlement and submitting it', settle: true },
  { victim: 'provider', at: 'settling .* stroops', step: 'the provider between recording a settlement and submitting it', settle: true }
]

/** A free loopback port: a restarted daemon listens where it did */
async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => { resolve(port) })
    }).on('error', reject)
  })
}

async function rpc (daemon: RunningDaemon, endpoint: string, query: Record<string, string> = {}): Promise<any> {
  return rpcCall(daemon.apiUrl, endpoint, query, 30_000)
}

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** What the invariants compare, read from the ledger and the five daemons */
interface Snapshot {
  balances: Record<Role, bigint>
  /** the client's: what its fulfilled routed payments cost */
  spent: bigint
  /** the provider's credits for the client */
  received: bigint
  /** each relay's fees from fulfilled payments */
  earned: Record<string, bigint>
  /** the client's first relay */
  guard?: string
}

describe('routed payments survive SIGKILL', function () {
  this.timeout(900_000)
  let ledger: PaymentLedger
  const repos: Record<string, string> = {}
  const crashFiles: Record<string, string> = {}
  const daemons: Record<string, RunningDaemon> = {}
  const address: Record<string, string> = {}
  const earlierLogs: Record<string, string> = {}

  async function connectAll (): Promise<void> {
    for (const [i, from] of ROLES.entries()) {
      for (const to of ROLES.slice(i + 1)) {
        await daemons[from].client.swarm.connect(daemons[to].multiaddrs[0] as any).catch(() => {})
      }
    }
  }

  async function start (role: Role): Promise<void> {
    daemons[role] = await startDaemon(repos[role], { crashOnLog: crashFiles[role] })
  }

  /** Kill `role` unless it died already (at the step it was armed for), and start it again */
  async function restartAfter (role: Role, kill: () => Promise<void> = async () => {}): Promise<void> {
    const child = daemons[role].process
    const exited = child.exitCode != null || child.signalCode != null ? Promise.resolve() : new Promise(resolve => child.once('exit', resolve))
    await kill()
    await exited
    earlierLogs[role] = (earlierLogs[role] ?? '') + daemons[role].output() + '\n--- SIGKILL, started again ---\n'
    await start(role)
    await connectAll()
  }

  /** Settle what the payees hold, then read; `resolved` first waits for every lock held to be paid unconditionally */
  async function snapshot (resolved = false): Promise<Snapshot> {
    if (resolved) {
      await pWaitFor(async () => {
        const stats = await Promise.all((['relay0', 'relay1', 'relay2', 'provider'] as const).map(async role => rpc(daemons[role], 'relay/stat')))
        return stats.every(stat => stat.LegsIn.every((leg: any) => leg.Held == null))
      }, { timeout: 60_000, interval: 500 })
    }

    for (const role of ['relay0', 'relay1', 'relay2', 'provider'] as const) {
      await rpc(daemons[role], 'payments/settle')
    }

    const balances = Object.fromEntries(await Promise.all(ROLES.map(async role => [role, await ledger.assetBalance(address[role]) ?? 0n]))) as Record<Role, bigint>
    const routes = await rpc(daemons.client, 'payments/routes')
    const served = (await rpc(daemons.provider, 'payments/peers')).Peers.find((p: any) => p.Peer === daemons.client.peerId)?.Served
    const earned: Record<string, bigint> = {}

    for (const relay of ['relay0', 'relay1', 'relay2'] as const) {
      earned[relay] = toStroops((await rpc(daemons[relay], 'relay/stat')).Earned)
    }

    return { balances, spent: toStroops(routes.Spent), received: toStroops(served?.Received ?? '0'), earned, guard: routes.Guard ?? undefined }
  }

  /**
   * Wait for every lock to resolve (fulfilled, or lapsed: a first leg lives
   * 5 + 10 + 3 × 5 s at most), settle everything, and check the invariants
   * over what moved since `before`; `exact` also holds each relay to its fees
   */
  async function expectBooksAgree (before: Snapshot, context: Record<string, unknown>, exact: boolean): Promise<void> {
    await pWaitFor(async () => (await rpc(daemons.client, 'payments/routes')).Payments.every((payment: any) => payment.State !== 'pending'), { timeout: 120_000, interval: 1000 })
    await sleep(35_000)

    const after = await snapshot()
    const moved = Object.fromEntries(ROLES.map(role => [role, after.balances[role] - before.balances[role]])) as Record<Role, bigint>
    const served = (await rpc(daemons.provider, 'payments/peers')).Peers.find((p: any) => p.Peer === daemons.client.peerId).Served
    const fetched = (await rpc(daemons.client, 'payments/peers')).Peers.find((p: any) => p.Peer === daemons.provider.peerId).Fetched
    const spent = after.spent - before.spent
    const received = after.received - before.received
    const why = JSON.stringify({ ...context, moved, spent, received, before: before.earned, after: after.earned, served, fetched }, (_, value) => typeof value === 'bigint' ? value.toString() : value)

    // both books agree on what was paid for, no stroop left the five, the client paid what its fulfilled payments cost
    expect(served.PaidThrough, why).to.equal(fetched.PaidThrough)
    expect(Object.values(moved).reduce((sum, delta) => sum + delta, 0n), why).to.equal(0n)
    expect(-moved.client, why).to.equal(spent)

    if (exact) {
      // nobody stayed down past a lock's expiry: each relay kept exactly its fees, the provider what it credited
      expect(moved.provider, why).to.equal(received)

      for (const relay of ['relay0', 'relay1', 'relay2'] as const) {
        expect(moved[relay], `${relay}: ${why}`).to.equal(after.earned[relay] - before.earned[relay])
      }
    } else {
      expect(moved.provider >= received, why).to.equal(true)
    }
  }

  /** Serve the client 4 MiB more to bill for */
  async function serve (): Promise<void> {
    const { cid } = await daemons.provider.client.add(crypto.randomBytes(4 * 1024 * 1024))
    await all(daemons.client.client.cat(cid, { signal: AbortSignal.timeout(60_000) }))
  }

  /** Bill until the provider holds payment through `upTo` (or all it served): routes a kill broke are billed again once their locks lapse */
  async function billThrough (upTo?: number): Promise<any> {
    let last: any

    for (let i = 0; i < 90 && last?.Status !== 'nothing-due'; i++) {
      last = await rpc(daemons.provider, 'payments/bill', { arg: daemons.client.peerId, ...(upTo == null ? {} : { 'up-to': String(upTo) }) }).catch(err => ({ Status: 'error', Reason: err.message }))

      if (last.Status !== 'paid' && last.Status !== 'nothing-due') {
        await sleep(1000)
      }
    }

    return last
  }

  before(async () => {
    ledger = await startPaymentLedger()
    const dir = await tempDir('torplus-crash-')
    const swarm = async (): Promise<{ Addresses: Record<string, unknown> }> => ({ Addresses: { ...EPHEMERAL_HTTP_ADDRESSES, Swarm: [`/ip4/127.0.0.1/tcp/${await freePort()}`] } })

    for (const role of ROLES) {
      crashFiles[role] = path.join(dir, `${role}.crash`)
      await fs.writeFile(crashFiles[role], '')
    }

    for (const relay of ['relay0', 'relay1', 'relay2'] as const) {
      repos[relay] = await createPaidRepo(ledger, { ...await swarm(), Payments: { ...SETTLE, Relay: { Enabled: true, ExpiryDelta: 5_000 }, Routes: { ...SHORT, Hops: 0 } } })
      await start(relay)
    }

    repos.provider = await createPaidRepo(ledger, { ...await swarm(), Payments: { ...SETTLE, PricePerMiB: '0.01', Routes: { ...SHORT, Hops: 0 } }, Bitswap: MANUAL_BILLING })
    await start('provider')
    repos.client = await createPaidRepo(ledger, { ...await swarm(), Payments: { ...SETTLE, MaxPricePerMiB: '0.01', Routes: { ...SHORT, Hops: 3, Fallback: 'refuse', Relays: (['relay0', 'relay1', 'relay2'] as const).map(relay => daemons[relay].multiaddrs[0]) } } })
    await start('client')
    await connectAll()

    for (const role of ROLES) {
      address[role] = (await rpc(daemons[role], 'wallet/address')).Address
    }
  })

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const dir = await tempDir('torplus-crash-logs-')
      await Promise.all(ROLES.map(async role => fs.writeFile(path.join(dir, `${role}.log`), (earlierLogs[role] ?? '') + (daemons[role]?.output() ?? ''))))
      process.stderr.write(`the daemons' logs are in ${dir}\n`)
    }
  })

  after(async () => {
    await Promise.all(Object.values(daemons).map(async daemon => daemon.stop()))
    await ledger?.local.stop()
  })

  /**
   * Arm `victim` to die at `point`, and bill (or settle) until it does: the
   * next payment reaches the step, unless the last crash left the guard's
   * leg locked until its lock lapses
   */
  async function crashAt (point: typeof CRASH_POINTS[number], victim: Role, billed: { upTo: number }): Promise<void> {
    const died = (): boolean => daemons[victim].process.exitCode != null || daemons[victim].process.signalCode != null
    const bills: string[] = []
    const deadline = Date.now() + 90_000
    let status = 'paid'
    await fs.writeFile(crashFiles[victim], point.at)

    if (point.settle === true) {
      await rpc(daemons[victim], 'payments/settle').catch(() => {})
    }

    while (!died() && Date.now() < deadline) {
      billed.upTo += point.settle !== true && ['paid', 'nothing-due'].includes(status) ? STEP : 0
      const outcome = await rpc(daemons.provider, 'payments/bill', { arg: daemons.client.peerId, 'up-to': String(billed.upTo) }).catch(err => ({ Status: err.message }))
      status = outcome.Status
      bills.push(`${outcome.Status} ${outcome.Reason ?? ''}`)
      await pWaitFor(died, { timeout: 2_000, interval: 50 }).catch(() => {})
    }

    expect(died(), `${point.step} (${victim}, /${point.at}/) was never reached; bills: ${bills.join('; ')}; it logged:\n${daemons[victim].output().slice(-3000)}`).to.equal(true)
  }

  it('loses nothing and pays nothing twice, whoever is killed at whichever step', async () => {
    await serve()
    // the first payment picks the guard; the rest of the route is whichever relays pass on the lock next
    expect(await billThrough(STEP)).to.have.property('Status', 'nothing-due')
    const before = await snapshot(true)
    const billed = { upTo: STEP }

    // every payment passes all three relays, in an order each route draws: the guard first, then the others
    const guard = ROLES.find(role => daemons[role].peerId === before.guard)
    expect(guard, 'the client has no guard').to.be.a('string')
    const [middle, last] = (['relay0', 'relay1', 'relay2'] as const).filter(relay => relay !== guard)
    const relayRoles: Record<string, Role> = { guard: guard ?? 'relay0', middle, last }
    const victimOf = (victim: typeof CRASH_POINTS[number]['victim']): Role => relayRoles[victim] ?? victim

    for (const point of CRASH_POINTS) {
      const victim = victimOf(point.victim)

      if (point.settle === true) {
        // a settlement waits for the locks on its tab to resolve
        await pWaitFor(async () => (await rpc(daemons.client, 'payments/routes')).Payments.every((payment: any) => payment.State !== 'pending'), { timeout: 120_000, interval: 1000 })
      }

      await crashAt(point, victim, billed)
      await restartAfter(victim)

      const last = await billThrough(billed.upTo)
      expect(last?.Status, `billing after ${point.step} (${victim}): ${JSON.stringify({ last, routes: await rpc(daemons.client, 'payments/routes') })}`).to.equal('nothing-due')
    }

    await expectBooksAgree(before, { points: CRASH_POINTS.length }, true)
  })

  it('keeps the books and the ledger in agreement, whoever is killed when', async () => {
    await serve()
    expect(await billThrough()).to.have.property('Status', 'nothing-due')
    const before = await snapshot(true)
    await serve()
    const random = seeded(SEED)
    const progress = { upTo: 0, paid: 0, outcomes: [] as string[], killed: false }
    // eslint-disable-next-line no-console
    console.info(`      crash seed ${SEED}: CRASH_SEED=${SEED} runs these rounds again`)
    progress.upTo = Number((await rpc(daemons.provider, 'payments/peers')).Peers.find((p: any) => p.Peer === daemons.client.peerId).Served.PaidThrough)

    const billUntilKilled = async (): Promise<void> => {
      for (let step = 0; step < 200; step++) {
        if (progress.killed) {
          return
        }

        progress.upTo += STEP

        try {
          const bill = await rpc(daemons.provider, 'payments/bill', { arg: daemons.client.peerId, 'up-to': String(progress.upTo) })
          progress.paid += bill.Status === 'paid' ? 1 : 0
          progress.outcomes.push(bill.Status === 'rejected' ? `${bill.Code}: ${bill.Reason}` : bill.Status)
        } catch (err: any) {
          if (!progress.killed) {
            throw new Error(`payments/bill failed with every daemon alive (seed ${SEED}): ${err.message}`)
          }
        }
      }
    }

    for (let round = 0; round < ROUNDS; round++) {
      const victim = ROLES[random(ROLES.length)]
      progress.killed = false
      // each round starts with a route that pays: the locks the last kill left have lapsed
      const ready = await billThrough(progress.upTo)
      expect(ready?.Status, `round ${round} (seed ${SEED}): ${JSON.stringify(ready)}`).to.equal('nothing-due')
      const billing = billUntilKilled()
      await Promise.race([billing, sleep(200 + random(800))])
      await restartAfter(victim, async () => {
        progress.killed = true
        daemons[victim].process.kill('SIGKILL')
        await billing
      })
    }

    // bill what is left: a payment whose route broke is billed again, once
    // the locks it left lapse (with three relays there is no spare route)
    const last = await billThrough()
    expect(last?.Status, JSON.stringify({ seed: SEED, last, routes: await rpc(daemons.client, 'payments/routes') })).to.equal('nothing-due')
    expect(progress.paid, JSON.stringify(progress.outcomes)).to.be.at.least(1)
    await expectBooksAgree(before, { seed: SEED }, false)
  })
})
