/**
 * The trustless gateway: GET /ipfs/<cid>[/path] answering raw blocks and CARs
 * (application/vnd.ipld.raw, application/vnd.ipld.car) and plain UnixFS files
 * for browsers, through @helia/verified-fetch on the node's own Helia
 */
import { createVerifiedFetchWithHelia } from '@helia/verified-fetch'
import { TimeoutError } from '@libp2p/interface'
import { anySignal } from 'any-signal'
import { Hono } from 'hono'
import { toRequestSettings } from '../config/index.js'
import { walkDag } from '../core/dag-walk.js'
import { parseIpfsPath } from '../core/ipfs-path.js'
import type { IpfsPath } from '../core/ipfs-path.js'
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

interface IdleTimeout {
  /** Aborts when the client leaves, or after `ms` without progress */
  signal: AbortSignal
  timedOut(): boolean
  /** The response with its body restarting the timeout at every chunk, and clearing it at the end */
  watch(response: Response): Response
  clear(): void
}

function idleTimeout (client: AbortSignal, ms: number): IdleTimeout {
  const controller = new AbortController()
  const signal = anySignal([client, controller.signal])
  let expired = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const restart = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      expired = true
      controller.abort(new TimeoutError(`no progress within ${ms} ms`))
    }, ms)
  }
  const clear = (): void => {
    clearTimeout(timer)
    signal.clear()
  }

  restart()

  return {
    signal,
    timedOut: () => expired,
    clear,
    watch (response) {
      if (response.body == null) {
        clear()
        return response
      }

      const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        transform (chunk, output) {
          restart()
          output.enqueue(chunk)
        },
        flush: clear
      }))
      // a body the client abandons, or that fails, ends the watch too
      signal.addEventListener('abort', clear, { once: true })

      return new Response(body, response)
    }
  }
}

function wantsCar (request: Request, url: URL): boolean {
  return url.searchParams.get('format') === 'car' || (request.headers.get('accept') ?? '').includes('application/vnd.ipld.car')
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
    let target: IpfsPath

    try {
      target = parseIpfsPath(decodeURIComponent(rest))
    } catch (err: any) {
      return problem(400, err.message)
    }

    const retrieval = idleTimeout(c.req.raw.signal, retrievalTimeout)
    const { signal } = retrieval
    const timedOut = (): Response => problem(504, `${rest} was not retrieved within ${retrievalTimeout} ms: no connected peer provided it`)
    // the gateway answers any origin (trustless gateways do), but fetching
    // from the network costs money: another site's page gets local blocks only
    const offline = isCrossSite(c.req.raw)

    if (!offline) {
      // our user's own demand: kept apart from what peers ask for, never published
      node.services.frequency?.observeLocal(target.cid)
    }

    try {
      const url = new URL(c.req.url)

      if (wantsCar(c.req.raw, url)) {
        // the CAR exporter walks the DAG with Helia's walker, which a bad
        // block takes down with the process: ours checks it first
        const blockOnly = url.searchParams.get('dag-scope') === 'block' && target.path === ''
        await walkDag(node.helia, target.cid, { offline, signal, depth: blockOnly ? 0 : Infinity, concurrency: toRequestSettings(node.repo.config).blocksInFlight })
      }

      const response = await verifiedFetch(`ipfs://${rest}${url.search}`, {
        method: c.req.method,
        headers: c.req.raw.headers,
        offline,
        // a Helia session asks only the providers routing finds, never the
        // peers we are connected to; without one, bitswap asks both
        session: false,
        signal
      })

      if (offline && response.status >= 400) {
        retrieval.clear()
        return problem(404, `${rest} is not in this node's repo, and a page on another site cannot make the node fetch it`)
      }

      if (response.status === 504 || retrieval.timedOut()) {
        retrieval.clear()
        return timedOut()
      }

      // the body streams on: each chunk restarts the timeout, which cuts a
      // body that stalls (a block nobody sends) instead of leaving it open
      return retrieval.watch(response)
    } catch (err: any) {
      retrieval.clear()

      if (err.badRequest === true) {
        return problem(400, err.message)
      }

      if (retrieval.timedOut()) {
        return timedOut()
      }

      log.error('gateway request for %s failed - %e', rest, err)
      throw err
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
