/**
 * Liveness pings that suit onion circuits (libp2p's connection monitor). A
 * ping on a busy circuit waits behind the data queued before it, so it gets
 * Swarm.PingTimeout (libp2p's floor is 5 s). A ping is sent only after the
 * previous one has finished or timed out: libp2p pings every 10 s, and a
 * second ping stream while the first still waits is refused (one outbound
 * ping stream per connection), which libp2p counts as a failed ping: it then
 * drops a healthy connection in the middle of a transfer.
 */
import type { CreateLibp2pOptions } from '@helia/libp2p'

type ConnectionMonitorInit = NonNullable<CreateLibp2pOptions['connectionMonitor']>

/** Milliseconds between the end of a ping's timeout and the next ping */
export const PING_INTERVAL_MARGIN = 5_000

export function onionConnectionMonitor (pingTimeout: number): ConnectionMonitorInit {
  return {
    pingTimeout: { minTimeout: pingTimeout, maxTimeout: pingTimeout },
    pingInterval: pingTimeout + PING_INTERVAL_MARGIN
  }
}
