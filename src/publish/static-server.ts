/**
 * A directory as a web site, on a loopback port only the site's tunnels
 * reach: index files, content types, byte ranges, ETags and conditional
 * requests (`send`, the engine of Express's static files), GET and HEAD
 * only, nothing outside the directory, no dotfiles
 */
import http from 'node:http'
import send from 'send'
import { INDEX_FILES } from './constants.js'
import type { Logger } from '@libp2p/interface'
import type { AddressInfo } from 'node:net'

export interface StaticServer {
  port: number
  close(): Promise<void>
}

export async function serveDirectory (dir: string, log: Logger): Promise<StaticServer> {
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('a published directory answers GET and HEAD only\n')
      return
    }

    let path: string

    try {
      // absolute-form targets too: a proxy may pass them on as they came
      path = new URL(request.url ?? '/', 'http://site').pathname
    } catch {
      response.writeHead(400, { 'Content-Type': 'text/plain' }).end('not a request target\n')
      return
    }

    send(request, path, { root: dir, index: INDEX_FILES, dotfiles: 'ignore' })
      .on('error', (err: { status?: number, message: string }) => {
        const status = err.status ?? 500

        if (status >= 500) {
          log.error('serving %s from %s failed - %s', path, dir, err.message)
        }

        response.writeHead(status, { 'Content-Type': 'text/plain' }).end(`${http.STATUS_CODES[status] ?? 'error'}\n`)
      })
      .pipe(response)
  })
  // a tunnel that stops reading holds no more than this
  server.headersTimeout = 30_000
  server.requestTimeout = 60_000
  server.keepAliveTimeout = 30_000

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })

  return {
    port: (server.address() as AddressInfo).port,
    async close () {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}
