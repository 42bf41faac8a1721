/**
 * Watching what a metered provider sends one peer, over time
 */
import pWaitFor from 'p-wait-for'
import { issueAsset } from './payments.js'
import type { PaymentLedger, RunningNode } from './payments.js'
import type { BillOutcome } from '../../src/payments/payee.js'

export type Samples = Array<[ms: number, bytesSent: number]>

/**
 * Bytes per second sent while the count was between `from` and `to`: from
 * the first frame seen in that band to the last, so that frames of a few MiB
 * do not blur it (each waits for the one before to be paid off)
 */
export function rateWithin (samples: Samples, from: number, to: number): number {
  const frames = samples.filter(([, sent], i) => sent >= from && sent <= to && (i === 0 || samples[i - 1][1] !== sent))

  if (frames.length < 2) {
    throw new Error(`fewer than two frames seen between ${from} and ${to} bytes`)
  }

  const [[startedAt, started], [endedAt, ended]] = [frames[0], frames[frames.length - 1]]
  return (ended - started) / ((endedAt - startedAt) / 1000)
}

/**
 * Watch a peer that cannot pay until it is refused: the credit statuses it
 * went through, in order, and the bytes sent to it when it was refused. A
 * transfer that stops for `stall` ms before that fails at once.
 */
export async function untilRefused (provider: RunningNode, peer: string, options: { timeout: number, stall?: number }): Promise<{ statuses: string[], refusedAt: bigint }> {
  const stall = options.stall ?? 30_000
  const status = (): string => provider.creditGate?.view(peer).status ?? 'unmetered'
  const statuses: string[] = []
  const watch = setInterval(() => {
    if (statuses[statuses.length - 1] !== status()) { statuses.push(status()) }
  }, 50)
  let last = { sent: -1n, at: Date.now() }

  try {
    await pWaitFor(() => {
      const sent = provider.peerTraffic.get(peer).bytesSent

      if (sent !== last.sent) {
        last = { sent, at: Date.now() }
      } else if (Date.now() - last.at > stall) {
        throw new Error(`nothing was sent for ${stall} ms, at ${sent} bytes, while the peer was ${status()}`)
      }

      return status() === 'refused'
    }, { timeout: options.timeout, interval: 200 })
  } finally {
    clearInterval(watch)
  }

  if (statuses[statuses.length - 1] !== 'refused') { statuses.push('refused') }
  return { statuses, refusedAt: provider.peerTraffic.get(peer).bytesSent }
}

/**
 * A refused peer's new wants are held: over `seconds` it gets only what it
 * had asked for before (one request of up to 2 MiB), no faster than the
 * throttle rate, and stays refused (a provider that ignored the refusal
 * would send the rest at full speed). Returns the bytes it got meanwhile,
 * and the highest that allows.
 */
export async function sentWhileRefused (provider: RunningNode, peer: string, refusedAt: bigint, seconds: number, throttleRate: number): Promise<{ sent: number, allowed: number, status?: string }> {
  await new Promise(resolve => setTimeout(resolve, seconds * 1000))
  const sent = Number(provider.peerTraffic.get(peer).bytesSent - refusedAt)
  return { sent, allowed: 2 * 1024 * 1024 + seconds * throttleRate * 2, status: provider.creditGate?.view(peer).status }
}

/**
 * Once the peer is refused, wait while what it had asked for before drains
 * at the throttle rate, until nothing more goes (two counts 2 s apart agree)
 * or `tries` counts were taken; the count then
 */
export async function untilStalled (provider: RunningNode, peer: string, tries: number): Promise<bigint> {
  let stalled = -1n

  for (let i = 0; i < tries && stalled !== provider.peerTraffic.get(peer).bytesSent; i++) {
    stalled = provider.peerTraffic.get(peer).bytesSent
    await new Promise(resolve => setTimeout(resolve, 2000))
  }

  return stalled
}

/** The client that could not pay opens a trustline and gets 10 of the asset; the provider bills it */
export async function payUp (ledger: PaymentLedger, provider: RunningNode, client: RunningNode): Promise<BillOutcome> {
  await client.node.wallet.trust()
  await issueAsset(ledger, client.node.wallet.address, '10')
  return provider.payments.bill(client.node.helia.libp2p.peerId)
}

/**
 * Billing scaled as the defaults are to the default price, for a price of
 * 0.01 a MiB: a 1 MiB allowance that never refills, bills for 10 MiB (8 of
 * them ahead), throttled past 40 MiB, held past 42
 */
export const SCALED_BILLING = {
  FreeAllowance: '1MiB',
  AllowanceRefreshRate: 0,
  PaymentThreshold: '0.1000000',
  BillAhead: '0.0800000',
  CreditLimit: '0.4000000',
  DisconnectLimit: '0.4200000'
} as const
