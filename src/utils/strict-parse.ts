/**
 * Numbers and durations from text, strictly: `Number()` takes "1e3", "0x10"
 * and " 12 " as integers, and a timer given more than 2³¹ − 1 ms fires after
 * 1 ms (Node.js clamps it), which turns a long timeout into a busy loop. Each
 * parser returns undefined for anything else, and its caller says what it
 * expected.
 */

/** The longest delay a Node.js timer honours, in ms */
export const MAX_TIMER_MS = 2 ** 31 - 1

const DURATION_UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const

/** Decimal digits only, within Number's safe integers */
export function parseNonNegativeInteger (text: string): number | undefined {
  if (!/^\d{1,16}$/.test(text)) {
    return undefined
  }

  const value = Number(text)
  return Number.isSafeInteger(value) ? value : undefined
}

/**
 * "500ms", "10s", "1.5m", "2h" (or a bare number in `bareUnit`) as whole
 * milliseconds, at most MAX_TIMER_MS
 */
export function parseDuration (text: string, bareUnit?: keyof typeof DURATION_UNITS): number | undefined {
  const match = /^(\d{1,12}(?:\.\d{1,6})?)(ms|s|m|h)?$/.exec(text)
  const unit = match?.[2] ?? bareUnit

  if (match == null || unit == null) {
    return undefined
  }

  const ms = Math.round(Number(match[1]) * DURATION_UNITS[unit as keyof typeof DURATION_UNITS])
  return ms <= MAX_TIMER_MS ? ms : undefined
}
