/**
 * Reproducible pseudo-random bytes for benchmarks, streamed in 1 MiB pieces
 * so that adding 64 MiB does not inflate the peak RSS being measured. The
 * bytes are an AES-CTR keystream keyed by the seed: fast enough (GiB/s)
 * that making them never bounds a benchmark
 */
import crypto from 'node:crypto'

const PIECE = 1024 * 1024

export async function * deterministic (size: number, seed: number): AsyncGenerator<Uint8Array> {
  const key = crypto.createHash('sha256').update(`torplus-bench:${seed}`).digest().subarray(0, 16)
  const cipher = crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16))
  const zeros = new Uint8Array(PIECE)

  for (let start = 0; start < size; start += PIECE) {
    yield cipher.update(zeros.subarray(0, Math.min(PIECE, size - start)))
  }
}
