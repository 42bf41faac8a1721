/**
 * Stellar amounts: 7 decimal places in Horizon's JSON and the SDK's
 * operations, bigint stroops (10⁻⁷) everywhere else
 */
const DECIMALS = 7n
const ONE = 10n ** DECIMALS

/** The largest amount an int64 holds: a trustline's default limit */
export const MAX_AMOUNT = 2n ** 63n - 1n

export function toStroops (amount: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,7}))?$/.exec(amount)

  if (match == null) {
    throw new RangeError(`"${amount}" is not an amount with at most 7 decimal places`)
  }

  return BigInt(match[1]) * ONE + BigInt((match[2] ?? '').padEnd(Number(DECIMALS), '0'))
}

export function fromStroops (stroops: bigint): string {
  const sign = stroops < 0n ? '-' : ''
  const abs = stroops < 0n ? -stroops : stroops
  return `${sign}${abs / ONE}.${(abs % ONE).toString().padStart(Number(DECIMALS), '0')}`
}

/** Half an XLM: each base reserve a ledger entry costs */
export const BASE_RESERVE = ONE / 2n

/** Fee per operation */
export const BASE_FEE = 100n
