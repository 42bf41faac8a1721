/**
 * Option types the CLI parses strictly: yargs' `number` takes "1e3" and
 * "0x10", and a duration past 2³¹ − 1 ms would fire at once
 */
import { InvalidArgumentError } from '../core/errors.js'
import { MAX_TIMER_MS, parseDuration, parseNonNegativeInteger } from '../utils/strict-parse.js'

/** A non-negative integer option, in decimal digits */
export function integerOption <D extends number | undefined = undefined> (describe: string, defaultValue?: D): { type: 'string', describe: string, default?: string, coerce(value: unknown): number | D } {
  return {
    type: 'string',
    describe,
    default: defaultValue == null ? undefined : String(defaultValue),
    coerce: (value: unknown) => {
      if (value == null) {
        return defaultValue as D
      }

      const parsed = parseNonNegativeInteger(String(value))

      if (parsed == null) {
        throw new InvalidArgumentError(`expected a non-negative integer in decimal digits, not "${String(value)}"`)
      }

      return parsed
    }
  }
}

/** A duration: "30s", "500ms", "2m"; a bare number is in `bareUnit` */
export function parseDurationArg (name: string, text: string, bareUnit?: 's' | 'ms'): number {
  const ms = parseDuration(text.trim(), bareUnit)

  if (ms == null) {
    throw new InvalidArgumentError(`${name} must be a duration such as 30s, 500ms or 2m, at most ${MAX_TIMER_MS} ms, not "${text}"`)
  }

  return ms
}
