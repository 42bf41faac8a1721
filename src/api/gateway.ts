/**
 * The trustless gateway: GET /ipfs/<cid>[/path] answering raw blocks and CARs
 * (application/vnd.ipld.raw, application/vnd.ipld.car) and plain UnixFS files
 * for browsers, through @helia/verified-fetch on the node's own Helia
 */
import { createVerifiedFetchWithHelia } from '@helia/verified-fetch'
import { anySignal } from 'any-signal'
import { Hono } from 'hono'
import { parseIpfsPath } from '../core/ipfs-path.js'
import type { TorPlusNode } from '../node.js'
import type { VerifiedFetch } from '@helia/verified-fetch'
import type { Logger } from '@libp2p/interface'

export interface GatewayInit {
  node: TorPlusNode
  log: Logger
  /** Milliseconds to wait for content before answering 504 */
  retrievalTimeout: number
}

export interface Gateway {
  app: Hono
  stop(): Promise<void>
}

function problem (status: 400 | 404 | 405 | 504, message: string): Response {
  return new Response(message + '\n', { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
}

/**
 * Whether a browser sent the request for a page of another site: it says
 * so in `Sec-Fetch-Site`, and in `Origin` on CORS requests; other clients
 * (curl, the CLI) send neither
 */
function isCrossSite (request: Request): boolean {
  const site = request.headers.get('sec-fetch-site')
  const origin = request.headers.get('origin')

  return (site != null && site !== 'same-origin' && site !== 'none') ||
    (origin != null && origin !== new URL(request.url).origin)
}

export async function createGateway ({ node, log, retrievalTimeout }: GatewayInit): Promise<Gateway> {
  const verifiedFetch: VerifiedFetch = await createVerifiedFetchWithHelia(node.helia)
  const app = new Hono()

  app.on(['GET', 'HEAD'], '/ipfs/*', async (c) => {
    const rest = c.req.path.slice('/ipfs/'.length)

    try {
      parseIpfsPath(decodeURIComponent(rest))
    } catch (err: any) {
      return problem(400, err.message)
    }

    const signal = anySignal([c.req.raw.signal, AbortSignal.timeout(retrievalTimeout)])
    // the gateway answers any origin (trustless gateways do), but fetching
    // from the network costs money: another site's page gets local blocks only
    const offline = isCrossSite(c.req.raw)

    try {
      const search = new URL(c.req.url).search
      const response = await verifiedFetch(`ipfs://${rest}${search}`, {
        method: c.req.method,
        headers: c.req.raw.headers,
        offline,
        signal
      })

      if (offline && response.status >= 500) {
        return problem(404, `${rest} is not in this node's repo, and a page on another site cannot make the node fetch it`)
      }

      if (response.status === 504 || (signal.aborted && !c.req.raw.signal.aborted)) {
        return problem(504, `${rest} was not retrieved within ${retrievalTimeout} ms: no connected peer provided it`)
      }

      return response
    } catch (err: any) {
      if (signal.aborted) {
        return problem(504, `${rest} was not retrieved within ${retrievalTimeout} ms: no connected peer provided it`)
      }

      log.error('gateway request for %s failed - %e', rest, err)
      throw err
    } finally {
      signal.clear()
    }
  })

  app.all('/ipfs/*', () => problem(405, 'the gateway answers GET and HEAD only'))
  app.all('/ipfs', () => problem(400, 'missing CID: request /ipfs/<cid>[/path]'))
  app.notFound(() => problem(404, 'not found: request /ipfs/<cid>[/path]'))

  return {
    app,
    async stop () {
      await verifiedFetch.stop()
    }
  }
}
