/**
 * Watching what a metered provider sends one peer, over time
 */
import type { RunningNode } from './payments.js'

export type Samples = Array<[ms: number, bytesSent: number]>

/** Samples of bytes sent to a peer, every `interval` ms, until stopped */
export function sampler (provider: RunningNode, peer: string, interval = 100): { samples: Samples, stop(): void } {
  const samples: Samples = []
  const start = Date.now()
  const timer = setInterval(() => {
    samples.push([Date.now() - start, Number(provider.node.peerLedger.get(peer).bytesSent)])
  }, interval)
  return { samples, stop: () => { clearInterval(timer) } }
}

/** When the count first reached `bytes`, in ms */
export function reached (samples: Samples, bytes: number): number {
  return samples.find(([, sent]) => sent >= bytes)?.[0] ?? Infinity
}

/** Bytes per second between two counts */
export function rateBetween (samples: Samples, from: number, to: number): number {
  return (to - from) / ((reached(samples, to) - reached(samples, from)) / 1000)
}
