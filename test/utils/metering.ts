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
