/**
 * The node's extension API (beside its payment gateway): every call has a
 * timeout, and a node that does not answer is a NodeDownError, so that the
 * popup and the error page can say "start your node" rather than
 * "failed to fetch"
 */
import type { Settings } from './settings.js'

/** Milliseconds one call may take: the node is on this machine, but a name lookup goes through tor */
const CALL_TIMEOUT = 30_000

export interface NodeStatus {
  Version: string
  Tor: { Reachable: boolean, Progress: number, Summary: string } | null
  Payments: boolean
  Proxy: string | null
}

export interface Balance {
  Address: string
  Funded: boolean
  Native: string
  Asset: { Code: string, Issuer: string | null }
  AssetBalance: string | null
}

export interface HistoryBucket {
  Start: number
  RequestsSent: number
  Billed: string
  PaymentsReceived: number
  Received: string
  PaymentsSent: number
  Paid: string
  Rejected: number
}

export interface History {
  Commodity: string
  From: number
  Bucket: number
  Buckets: HistoryBucket[]
}

export interface Resolved {
  resolved: boolean
  hostname: string
}

export interface SiteCost {
  Site: string
  Onion: string
  Peer: string | null
  Paid: string
  Attention: string
  Bytes: string
}

/** The node did not answer at all: it is not running, or not at that address */
export class NodeDownError extends Error {
  readonly name = 'NodeDownError'
}

/** The node answered with an error: its code (`ERR_NAME_NOT_FOUND`) and why */
export class NodeError extends Error {
  readonly name = 'NodeError'

  constructor (readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

export class NodeApi {
  constructor (private readonly settings: Pick<Settings, 'api' | 'token'>) {}

  async status (): Promise<NodeStatus> {
    return this.call('/api/status')
  }

  async balance (): Promise<Balance> {
    return this.call('/api/book/balance')
  }

  async history (asset: string, hours: number, bins: number): Promise<History> {
    return this.call(`/api/book/history/${encodeURIComponent(asset)}/${hours}/${bins}`)
  }

  async resolve (hostname: string): Promise<Resolved> {
    return this.call('/api/resolver/resolve', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ hostname }) })
  }

  /** Have `host` stand for the site `url` names (sites.torplus.com/#<keyword>), and resolve it */
  async setupResolving (url: URL): Promise<Resolved> {
    const headers: Record<string, string> = { domainToResolve: url.hostname }

    if (url.hash.length > 1) {
      headers.fragment = url.hash.slice(1)
    }

    return this.call('/api/resolver/setupResolving', { headers })
  }

  async reportAttention (hostname: string, seconds: number): Promise<void> {
    await this.call('/api/attention', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ hostname, seconds }) })
  }

  async siteCost (site: string): Promise<SiteCost> {
    return this.call(`/api/site/${encodeURIComponent(site)}`)
  }

  private async call <T> (path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<T> {
    const headers = { ...init.headers, ...(this.settings.token === '' ? {} : { Authorization: `Bearer ${this.settings.token}` }) }
    let response: Response

    try {
      response = await fetch(`${this.settings.api}${path}`, { ...init, headers, signal: AbortSignal.timeout(CALL_TIMEOUT) })
    } catch (err: any) {
      throw new NodeDownError(`the node does not answer at ${this.settings.api}: ${String(err.message)}`)
    }

    const body = await response.json().catch(() => undefined)

    if (!response.ok) {
      throw new NodeError(response.status, String(body?.Code ?? `HTTP ${response.status}`), String(body?.Message ?? response.statusText))
    }

    return body as T
  }
}
