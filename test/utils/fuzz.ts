/**
 * Fuzzing in CI, bounded in time: each property runs with inputs fast-check
 * makes until it finds a failure (then shrinks it) or its time is up
 */
import fc from 'fast-check'

/** Milliseconds each property runs */
export const FUZZ_TIME = 6_000

/** Runs the property until FUZZ_TIME is up; returns how many inputs it tried */
export async function fuzz <T> (arbitrary: fc.Arbitrary<T>, property: (input: T) => Promise<void>): Promise<number> {
  const details = await fc.check(fc.asyncProperty(arbitrary, property), {
    numRuns: 1_000_000,
    interruptAfterTimeLimit: FUZZ_TIME
  })

  if (details.failed) {
    throw new Error(fc.defaultReportMessage(details) ?? 'the property failed')
  }

  // an input per run at least, or the fuzzing did not happen
  if (details.numRuns < 10) {
    throw new Error(`only ${details.numRuns} inputs tried in ${FUZZ_TIME} ms`)
  }

  return details.numRuns
}

/** Bytes a peer might send: random, empty, or long */
export const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ minLength: 64, maxLength: 4096 }),
  fc.constant(new Uint8Array(0))
)

/** An unsigned 64-bit value, small and edge ones more often */
export const anyU64 = fc.oneof(fc.bigInt({ min: 0n, max: 10n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(0n, 1n, 2n ** 63n, 2n ** 64n - 1n))
