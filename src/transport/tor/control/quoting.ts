/**
 * QuotedString and KEYWORD=VALUE handling from control-spec section 2.1
 */
import { MalformedReplyError } from '../../errors.js'

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', "'": "'" }

/**
 * Quote a string for a command argument
 */
export function quote (value: string): string {
  return `"${value.replace(/[\\"]/g, c => `\\${c}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`
}

/**
 * Read one QuotedString starting at `start` (which must be a '"'); returns the
 * value and the index after the closing quote
 */
export function readQuoted (text: string, start: number): { value: string, end: number } {
  let value = ''
  let i = start + 1

  while (i < text.length) {
    const c = text[i]

    if (c === '"') {
      return { value, end: i + 1 }
    }

    if (c === '\\' && i + 1 < text.length) {
      const next = text[i + 1]
      const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))

      if (octal != null) {
        value += String.fromCharCode(parseInt(octal[0], 8))
        i += 1 + octal[0].length
        continue
      }

      value += ESCAPES[next] ?? next
      i += 2
      continue
    }

    value += c
    i++
  }

  throw new MalformedReplyError(text, 'an unterminated quoted string')
}

/**
 * Parse `KEY=VALUE KEY2="quoted value" FLAG` into a map; bare words map to ''
 */
export function parseKeyValues (text: string): Map<string, string> {
  const out = new Map<string, string>()
  let i = 0

  while (i < text.length) {
    while (text[i] === ' ') {
      i++
    }

    if (i >= text.length) {
      break
    }

    const keyEnd = text.slice(i).search(/[ =]/)
    const key = keyEnd === -1 ? text.slice(i) : text.slice(i, i + keyEnd)
    i += key.length

    if (text[i] !== '=') {
      out.set(key, '')
      continue
    }

    i++

    if (text[i] === '"') {
      const { value, end } = readQuoted(text, i)
      out.set(key, value)
      i = end
      continue
    }

    const valueEnd = text.indexOf(' ', i)
    out.set(key, valueEnd === -1 ? text.slice(i) : text.slice(i, valueEnd))
    i = valueEnd === -1 ? text.length : valueEnd
  }

  return out
}
