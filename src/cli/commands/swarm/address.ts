import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'

/** A peer's multiaddr from the command line, or an error that shows the form */
export function parsePeerAddress (address: string): Multiaddr {
  try {
    return multiaddr(address)
  } catch {
    throw new Error(`"${address}" is not a multiaddr: expected e.g. /onion3/<service id>:4101/p2p/<peer id>`)
  }
}

/** The peer id part of a multiaddr, for messages */
export function peerOf (target: Multiaddr): string {
  return target.getComponents().find(c => c.name === 'p2p')?.value ?? target.toString()
}
