/**
 * Reproducible pseudo-random bytes for benchmarks, streamed in 1 MiB pieces
 * so that adding 64 MiB does not inflate the peak RSS being measured
 */
import crypto from 'node:crypto'

export async function * deterministic (size: number, seed: number): AsyncGenerator<Uint8Array> {
  const piece = 1024 * 1024
  let counter = 0

  for (let start = 0; start < size; start += piece) {
    const out = new Uint8Array(Math.min(piece, size - start))

    for (let offset = 0; offset < out.byteLength; offset += 32) {
      const block = crypto.createHash('sha256').update(`${seed}:${counter++}`).digest()
      out.set(block.subarray(0, Math.min(32, out.byteLength - offset)), offset)
    }

    yield out
  }
}
