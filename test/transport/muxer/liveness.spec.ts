/**
 * Liveness pings on a connection whose pings are slow (as on a busy onion
 * circuit): two libp2p nodes on loopback TCP, the remote answering pings late
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { expect } from 'aegir/chai'
import { createLibp2p } from 'libp2p'
import pWaitFor from 'p-wait-for'
import { onionConnectionMonitor, PING_INTERVAL_MARGIN } from '../../../src/transport/muxer/liveness.js'
import type { Libp2p } from '@libp2p/interface'
import type { ConnectionMonitorInit, Libp2pOptions } from 'libp2p'

const PING = '/ipfs/ping/1.0.0'
const PING_DELAY = 800

/** libp2p writes the generated key into the options it is given, so each node gets its own */
const base = (): Libp2pOptions => ({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  connectionManager: { resolvers: {} }
})

/** A node that pings its peers, running the ping service as a daemon does (one outbound ping stream at a time) */
async function pinger (connectionMonitor: ConnectionMonitorInit): Promise<Libp2p> {
  return createLibp2p({ ...base(), connectionMonitor, services: { ping: ping() } })
}

describe('liveness pings', function () {
  this.timeout(30_000)
  const nodes: Libp2p[] = []

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async n => n.stop()))
  })

  /** A node that echoes pings after PING_DELAY, and a connection to it */
  async function slowPeer (monitor: ConnectionMonitorInit): Promise<Libp2p> {
    const local = await pinger(monitor)
    const remote = await createLibp2p(base())
    nodes.push(local, remote)
    await remote.handle(PING, async (stream) => {
      for await (const chunk of stream) {
        await new Promise(resolve => setTimeout(resolve, PING_DELAY))
        stream.send(chunk)
      }
      await stream.close()
    })
    await local.dial(remote.getMultiaddrs(), { signal: AbortSignal.timeout(5_000) })
    return local
  }

  it('keeps a connection whose pings are slow', async () => {
    const monitor = onionConnectionMonitor(PING_DELAY + 500)
    const local = await slowPeer(monitor)
    const [connection] = local.getConnections()

    // two pings, each PING_DELAY long, with the interval the node uses
    await new Promise(resolve => setTimeout(resolve, 2 * (monitor.pingInterval ?? 0) + PING_DELAY))

    expect(connection.status).to.equal('open')
    expect(connection.rtt).to.be.at.least(PING_DELAY)
  })

  it('spaces pings by more than their timeout', () => {
    for (const timeout of [1_000, 60_000]) {
      const monitor = onionConnectionMonitor(timeout)
      expect(monitor.pingInterval).to.equal(timeout + PING_INTERVAL_MARGIN)
      expect(monitor.pingTimeout).to.deep.equal({ minTimeout: timeout, maxTimeout: timeout })
    }
  })

  it('is needed: pings sent more often than they answer drop a live connection', async () => {
    const local = await slowPeer({ pingInterval: PING_DELAY / 2, pingTimeout: { minTimeout: 5_000, maxTimeout: 5_000 } })
    const [connection] = local.getConnections()

    await pWaitFor(() => connection.status !== 'open', { timeout: 10_000 })
    expect(connection.status).to.not.equal('open')
  })
})
