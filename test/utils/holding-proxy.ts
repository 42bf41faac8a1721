/**
 * An HTTP proxy in front of the local ledger that can hold transaction
 * submissions back until a given moment, as a node that was down or cut off
 * would send them: what the ledger answered to each held one is kept
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface HoldingProxy {
  url: string
  /** Hold every submission that arrives before `time` (ms since the epoch) until then */
  holdSubmissionsUntil(time: number): void
  /** The ledger's answers to the submissions held, as `<status> <body>` */
  readonly held: string[]
  stop(): Promise<void>
}

export async function startHoldingProxy (target: string): Promise<HoldingProxy> {
  const upstream = new URL(target)
  const held: string[] = []
  let holdUntil = 0

  const server = http.createServer((req, res) => {
    const wait = req.method === 'POST' && req.url?.startsWith('/transactions') === true ? holdUntil - Date.now() : 0

    setTimeout(() => {
      const forwarded = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)

        if (wait > 0) {
          let body = ''
          answer.on('data', (chunk: Buffer) => { body += chunk.toString() })
          answer.on('end', () => { held.push(`${answer.statusCode} ${body}`) })
        }

        answer.pipe(res)
      })
      forwarded.on('error', err => { res.destroy(err) })
      req.pipe(forwarded)
    }, Math.max(0, wait))
  })

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    holdSubmissionsUntil (time) { holdUntil = time },
    async stop () {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
}
