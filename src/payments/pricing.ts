/**
 * Prices are per MiB, amounts in stroops; a partial stroop is charged as a
 * whole one, so a payee never serves bytes for free through rounding
 */
const MIB = 1024n * 1024n

/** What `bytes` cost at `pricePerMiB` stroops per MiB */
export function priceOf (bytes: bigint, pricePerMiB: bigint): bigint {
  return (bytes * pricePerMiB + MIB - 1n) / MIB
}

/** The whole bytes `amount` stroops pay for at `pricePerMiB` (none at price zero) */
export function bytesFor (amount: bigint, pricePerMiB: bigint): bigint {
  return pricePerMiB === 0n ? 0n : amount * MIB / pricePerMiB
}
