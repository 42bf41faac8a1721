import { fromStroops } from '../../stellar/index.js'

/** What the node is up to, as the extension's popup and error page show it */
export interface NodeStatus {
  version: string
  /** Tor's bootstrap in onion mode (`null`: loopback mode, no tor); `reachable: false` when its control port does not answer */
  tor: { reachable: boolean, progress: number, summary: string } | null
  /** Whether the node pays and is paid */
  payments: boolean
  /** The proxy's host:port, when it runs */
  proxy: string | null
}

/** `GET /api/status` */
export interface StatusView {
  Version: string
  Tor: { Reachable: boolean, Progress: number, Summary: string } | null
  Payments: boolean
  Proxy: string | null
}

/** What the user paid the node that publishes a site */
export interface SiteCost {
  site: string
  onion: string
  /** The node met at the onion, once a tunnel reached it */
  peer?: string
  /** Stroops paid to that node in all: for its bytes (sites and content) and for attention */
  paid: bigint
  /** Of `paid`, for attention */
  attention: bigint
  /** Bytes received from it */
  bytes: bigint
}

/** `GET /api/site/<name>` */
export interface SiteCostView {
  Site: string
  Onion: string
  Peer: string | null
  Paid: string
  Attention: string
  Bytes: string
}

export function statusView (status: NodeStatus): StatusView {
  return {
    Version: status.version,
    Tor: status.tor == null ? null : { Reachable: status.tor.reachable, Progress: status.tor.progress, Summary: status.tor.summary },
    Payments: status.payments,
    Proxy: status.proxy
  }
}

export function siteCostView (cost: SiteCost): SiteCostView {
  return { Site: cost.site, Onion: cost.onion, Peer: cost.peer ?? null, Paid: fromStroops(cost.paid), Attention: fromStroops(cost.attention), Bytes: cost.bytes.toString() }
}
