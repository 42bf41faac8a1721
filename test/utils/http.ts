/**
 * HTTP requests by hand, so that Host and TE can be set, and a body cut
 * short is seen as such
 */
import crypto from 'node:crypto'
import http from 'node:http'

export interface Answer {
  status: number
  body: string
  trailers: NodeJS.Dict<string>
  /** The body ended before the response was complete */
  cut: boolean
}

/** A request by hand, so Host and TE can be set and a cut body is seen */
export async function request (url: string, options: { method?: string, headers?: Record<string, string>, body?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'POST', headers: options.headers, signal: AbortSignal.timeout(30_000) }, (res) => {
      let body = ''
      let ended = false
      res.on('data', (chunk: Buffer) => { body += chunk.toString('latin1') })
      res.on('end', () => { ended = true })
      res.on('close', () => { resolve({ status: res.statusCode ?? 0, body, trailers: res.trailers, cut: !ended || !res.complete }) })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** A multipart body with one file part, field and filename as given */
export function multipart (field: string, filename: string, content: Uint8Array = Buffer.from('hello')): { headers: Record<string, string>, body: Buffer } {
  const boundary = `----torplus${crypto.randomBytes(8).toString('hex')}`
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`)
  ])
  return { headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body }
}
