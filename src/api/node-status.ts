/**
 * What the extension's popup and error page ask of the node: how it is (tor
 * bootstrapped, payments, the proxy) and what a site has cost so far
 */
import { nodeAtOnion } from '../config/index.js'
import { bootstrapStatus } from '../transport/index.js'
import { VERSION } from '../version.js'
import type { TorPlusNode } from '../node.js'
import type { NodeStatus, SiteCost } from './views/index.js'
import type { AbortOptions } from '@libp2p/interface'

export async function nodeStatus (node: TorPlusNode, proxy: string | undefined, options: AbortOptions = {}): Promise<NodeStatus> {
  return {
    version: VERSION,
    tor: await torStatus(node, options),
    payments: node.services.payments != null,
    proxy: proxy ?? null
  }
}

async function torStatus (node: TorPlusNode, options: AbortOptions): Promise<NodeStatus['tor']> {
  if (node.tor == null) {
    return null
  }

  try {
    const status = await bootstrapStatus(node.tor.control, options)
    return { reachable: true, progress: status?.progress ?? 0, summary: status?.summary ?? '' }
  } catch (err: any) {
    return { reachable: false, progress: 0, summary: err.message }
  }
}

/**
 * What we paid the node at the onion `site` names: it is known once a
 * tunnel reached it; bytes and payments are those of that peer, its
 * content's included
 */
export async function siteCost (node: TorPlusNode, site: string, options: AbortOptions = {}): Promise<SiteCost> {
  const { onion, name } = await node.services.names.resolve(site, options)
  const peer = node.services.sites.knownPeerAt(nodeAtOnion(onion))
  const account = peer == null ? undefined : node.services.payments?.books.payer(peer.toString())

  return {
    site: name,
    onion,
    peer: peer?.toString(),
    paid: account?.paid ?? 0n,
    attention: account?.attention ?? 0n,
    bytes: peer == null ? 0n : node.services.peerCounts.delivered(peer)
  }
}
