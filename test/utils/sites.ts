/**
 * HTTP over a site's tunnel, as a browser behind the proxy sends it
 */
import http from 'node:http'
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
