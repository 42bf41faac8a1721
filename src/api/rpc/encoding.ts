/**
 * Kubo's RPC conventions: ?arg= parameters, flags, PascalCase JSON, NDJSON
 * streams, and the {Message, Code, Type} error body
 */
import { InvalidArgumentError } from '../../core/errors.js'
import { MAX_TIMER_MS, parseDuration, parseNonNegativeInteger } from '../../utils/strict-parse.js'
import { streamResponse } from './stream-response.js'
import type { Context } from 'hono'

/** Kubo's cmds error codes */
export const ErrorCode = { Normal: 0, Client: 1 } as const

export interface KuboError {
  Message: string
  Code: number
  Type: 'error'
}

export function kuboError (message: string, code: number = ErrorCode.Normal): KuboError {
  return { Message: message, Code: code, Type: 'error' }
}

export function args (c: Context): string[] {
  return c.req.queries('arg') ?? []
}

/**
 * The one argument a command needs, or a 400
 */
export function requiredArg (c: Context, name: string): string {
  const [value] = args(c)

  if (value == null || value === '') {
    throw new InvalidArgumentError(`argument "${name}" is required`)
  }

  return value
}

/**
 * A boolean flag: absent is `fallback`; present as "", "true" or "1" is true
 */
export function flag (c: Context, name: string, fallback: boolean): boolean {
  const value = c.req.query(name)

  if (value == null) {
    return fallback
  }

  if (value === '' || value === 'true' || value === '1') {
    return true
  }

  if (value === 'false' || value === '0') {
    return false
  }

  throw new InvalidArgumentError(`option "${name}" must be true or false, not "${value}"`)
}

/**
 * An optional integer option: decimal digits only ("1e3" and "0x10" are not)
 */
export function integer (c: Context, name: string): number | undefined {
  const value = c.req.query(name)

  if (value == null || value === '') {
    return undefined
  }

  const parsed = parseNonNegativeInteger(value)

  if (parsed == null) {
    throw new InvalidArgumentError(`option "${name}" must be a non-negative integer in decimal digits, not "${value}"`)
  }

  return parsed
}

/**
 * Kubo durations: "500ms", "10s", "1m", up to about 24 days
 */
export function duration (c: Context, name: string, fallback: number): number {
  const value = c.req.query(name)

  if (value == null || value === '') {
    return fallback
  }

  const parsed = parseDuration(value)

  if (parsed == null) {
    throw new InvalidArgumentError(`option "${name}" must be a duration such as 500ms, 10s or 1m, at most ${MAX_TIMER_MS} ms, not "${value}"`)
  }

  return parsed
}

/**
 * JSON with bigints as numbers, as Go encodes uint64
 */
export function toJson (value: unknown): string {
  return JSON.stringify(value, (_key, v) => typeof v === 'bigint' ? Number(v) : v)
}

export function json <T = unknown> (c: Context, value: T): Response {
  return c.body(toJson(value) + '\n', 200, { 'Content-Type': 'application/json' })
}

/**
 * Stream objects as newline-delimited JSON
 */
export async function ndjson (c: Context, source: AsyncIterable<unknown>): Promise<Response> {
  const encoder = new TextEncoder()

  async function * lines (): AsyncGenerator<Uint8Array> {
    for await (const value of source) {
      yield encoder.encode(toJson(value) + '\n')
    }
  }

  return streamResponse(c, lines(), {
    'Content-Type': 'application/json',
    'X-Chunked-Output': '1'
  })
}

/**
 * Stream raw bytes
 */
export async function bytes (c: Context, source: AsyncIterable<Uint8Array>, contentType = 'text/plain'): Promise<Response> {
  return streamResponse(c, source, {
    'Content-Type': contentType,
    'X-Stream-Output': '1'
  })
}
