/**
 * HTTP over a site's tunnel, as a browser behind the proxy sends it
 */
import http from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'

export interface SiteAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** One request on `tunnel` (a fresh tunnel per request), the whole answer read */
export async function requestThrough (tunnel: Duplex, path: string, options: { method?: string, headers?: Record<string, string>, host?: string, signal?: AbortSignal } = {}): Promise<SiteAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      method: options.method ?? 'GET',
      path,
      headers: { host: options.host ?? 'site', connection: 'close', ...options.headers },
      createConnection: () => tunnel as any,
      signal: options.signal
    }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.once('error', reject)
      response.once('end', () => { resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }) })
    })
    request.once('error', reject)
    request.end()
  })
}

export interface RawAnswer {
  status: number
  /** The status line and headers, as they came */
  headers: string
  /** Every byte after the headers until the server closed */
  body: Buffer
}

/**
 * GET `path` on `socket` as a plain browser sends it, reading until the
 * server closes: what a visitor got, a cut answer included
 */
export async function rawGet (socket: Socket, path: string, host: string, timeout = 60_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    socket.setTimeout(timeout, () => { socket.destroy(new Error('no answer')) })
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => {})
    socket.on('close', () => {
      const raw = Buffer.concat(chunks)
      const end = raw.indexOf('\r\n\r\n')

      if (end < 0) {
        reject(new Error(`no HTTP answer: ${raw.subarray(0, 100).toString()}`))
        return
      }

      const headers = raw.subarray(0, end).toString()
      resolve({ status: Number(headers.split(' ')[1]), headers, body: raw.subarray(end + 4) })
    })
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
  })
}
