/**
 * Why a page did not open, in words a person understands: from Chrome's
 * network error or the code the node's proxy sent, and what the node says
 * when asked (is it up, is tor ready, does the name lead anywhere, is
 * there money). Pure: the probes are made by the error page.
 */
import { canPay } from './account.js'
import type { Balance, NodeStatus } from './node-api.js'

export type ProblemKind = 'node-down' | 'tor-starting' | 'name-not-found' | 'no-funds' | 'site-unreachable' | 'refused' | 'network'

export interface Problem {
  kind: ProblemKind
  title: string
  detail: string
  /** A command that fixes it, to copy */
  command?: string
}

export interface Probes {
  /** The page that did not open */
  url: string
  /** Chrome's error (`net::ERR_PROXY_CONNECTION_FAILED`) or the proxy's code (`ERR_NAME_NOT_FOUND`) */
  error?: string
  /** The node's status, or `down` when it did not answer */
  status?: NodeStatus | 'down'
  /** For a TorPlus name: what resolving it gave, or the node's error */
  resolved?: { onion: string } | { code: string, message: string }
  balance?: Balance
  /** Whether the URL is a TorPlus name */
  torplus: boolean
}

/** The command that starts a node on this machine */
export const START_NODE = 'npx torplus daemon'

/** Chrome's errors that mean the proxy itself did not answer */
const PROXY_DOWN = /ERR_PROXY_CONNECTION_FAILED|ERR_PROXY_CERTIFICATE_INVALID|ERR_MANDATORY_PROXY_CONFIGURATION_FAILED|ERR_CONNECTION_REFUSED/

export function diagnose (probes: Probes): Problem {
  return nodeProblem(probes) ?? nameProblem(probes) ?? fundsProblem(probes) ?? reachProblem(probes)
}

/** The node is down, or its tor is not ready */
function nodeProblem ({ error = '', status }: Probes): Problem | undefined {
  if (status === 'down' || (status == null && PROXY_DOWN.test(error))) {
    return { kind: 'node-down', title: 'Your TorPlus node is not running', detail: 'TorPlus sites open through the TorPlus node on this computer, and it does not answer. Start it, then try again.', command: START_NODE }
  }

  if (status?.Tor != null && (!status.Tor.Reachable || status.Tor.Progress < 100)) {
    const how = status.Tor.Reachable ? `${status.Tor.Progress}%: ${status.Tor.Summary}` : status.Tor.Summary
    return { kind: 'tor-starting', title: 'Tor is not ready yet', detail: `Your node reaches sites through tor, which is still connecting (${how}). This takes a minute after the node starts; try again shortly.` }
  }
}

/** A TorPlus name that leads nowhere, or could not be looked up */
function nameProblem ({ url, resolved, torplus }: Probes): Problem | undefined {
  if (!torplus || resolved == null || !('code' in resolved)) {
    return undefined
  }

  if (resolved.code === 'ERR_NAME_NOT_FOUND' || resolved.code === 'ERR_NOT_A_TORPLUS_NAME') {
    return { kind: 'name-not-found', title: 'No TorPlus site has this name', detail: `${hostOf(url)} does not lead to a TorPlus site: ${resolved.message}. Check the address.` }
  }

  return { kind: 'site-unreachable', title: 'The name could not be looked up', detail: `Your node could not look up ${hostOf(url)} now: ${resolved.message}. Try again shortly.` }
}

function fundsProblem ({ balance }: Probes): Problem | undefined {
  if (balance != null && !canPay(balance)) {
    return { kind: 'no-funds', title: 'Your account is out of funds', detail: `Sites are paid for as you browse, and your account ${balance.Address} holds no ${balance.Asset.Code}${balance.Funded ? '' : ' (it is not on the ledger)'}. Add funds to it, then try again.` }
  }
}

/** The site, or the host, could not be reached through the node */
function reachProblem ({ url, error = '', resolved, torplus }: Probes): Problem {
  if (error.includes('ERR_PROXY_REFUSED')) {
    return { kind: 'refused', title: 'Your node does not open other sites', detail: `Your node opens TorPlus sites only (its Proxy.Mode is "refuse"), so ${hostOf(url)} cannot be reached through it. Switch the extension to "TorPlus sites only" to open other sites directly.` }
  }

  if (torplus || /ERR_SITE|ERR_TUNNEL_CONNECTION_FAILED|ERR_EMPTY_RESPONSE|ERR_TIMED_OUT|ERR_CONNECTION_CLOSED/.test(error)) {
    const onion = resolved != null && 'onion' in resolved ? ` (at ${resolved.onion})` : ''
    return { kind: 'site-unreachable', title: 'The site does not answer', detail: `The node that publishes ${hostOf(url)}${onion} could not be reached, or did not serve it. It may be offline; try again later.` }
  }

  return { kind: 'network', title: 'The page could not be opened', detail: `${hostOf(url)} could not be reached through your node (${error === '' ? 'no reason given' : error}).` }
}

function hostOf (url: string): string {
  try {
    return new URL(url).hostname
  } catch {
    return url.slice(0, 100)
  }
}
