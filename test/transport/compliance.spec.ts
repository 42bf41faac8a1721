/**
 * libp2p's own transport suite (@libp2p/interface-compliance-tests) against
 * the onion transport, on a private tor network with real tor processes: a
 * dialer and a listener node, each on its own tor, the listener on two ports
 * of one onion service.
 *
 * The suite makes a new listener for each test and dials it at once. On the
 * devnet tor's time period is four minutes (an SRV run), and a client whose
 * consensus still says the last period asks for a descriptor that a service
 * born in the new one never uploaded (404 from every directory). A node's
 * onion key lives as long as its repo, so every listener here serves one key
 * that was published, and reached, before the first test.
 */
import net from 'node:net'
import path from 'node:path'
import transportCompliance from '@libp2p/interface-compliance-tests/transport'
import { defaultLogger } from '@libp2p/logger'
import pRetry from 'p-retry'
import { TorNetwork } from '../../src/devnet/tor-network.js'
import { createOnionKey, isOnion, ManagedTor, onion } from '../../src/transport/index.js'
import { OnionService } from '../../src/transport/onion-service.js'
import { socksConnect } from '../../src/transport/socks.js'
import { tempDir } from '../utils/repo.js'
import type { OnionKey } from '../../src/transport/index.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/** /onion3/<service id>:<port>, with or without /p2p/<peer id> */
const ONION = {
  matchers: [],
  matches: (ma: Multiaddr) => isOnion(ma),
  exactMatch: (ma: Multiaddr) => isOnion(ma)
}

/**
 * Tests that only check that a listener reports itself: the suite allows 1 s
 * for it, and by default a listener reports once tor has uploaded the
 * descriptor (about 2 s on the devnet), so that nobody dials an address tor
 * cannot find yet. Their listeners report as soon as tor holds the service.
 */
const NO_DIAL = new Set(['emits listening'])

describe('onion transport, libp2p\'s transport compliance suite', function () {
  this.timeout(600_000)
  const logger = defaultLogger()
  let network: TorNetwork
  let dialerTor: ManagedTor
  let listenerTor: ManagedTor
  let key: OnionKey

  before(async () => {
    const dir = await tempDir('torplus-compliance-')
    network = new TorNetwork({ dir: path.join(dir, 'network'), logger })
    await network.start()
    dialerTor = new ManagedTor({ dir: path.join(dir, 'dialer'), logger, extraConfig: network.clientConfig() })
    listenerTor = new ManagedTor({ dir: path.join(dir, 'listener'), logger, extraConfig: network.clientConfig() })
    await Promise.all([dialerTor.start(), listenerTor.start()])

    // the listeners' key, published and reached once
    key = createOnionKey()
    const service = new OnionService({ tor: listenerTor, key, descriptorTimeout: 60_000, log: logger.forComponent('test') })
    const closer = net.createServer(socket => socket.destroy())
    await new Promise<void>(resolve => closer.listen(0, '127.0.0.1', resolve))

    try {
      await service.add(4101, `127.0.0.1:${(closer.address() as net.AddressInfo).port}`)
      await pRetry(async () => {
        const socket = await socksConnect({ proxy: dialerTor.socks, destination: { host: `${key.serviceId}.onion`, port: 4101 }, timeout: 30_000 })
        socket.destroy()
      }, { retries: 10, minTimeout: 5_000, factor: 1 })
      await service.remove(4101)
    } finally {
      closer.close()
    }
  })

  after(async () => {
    await dialerTor?.stop()
    await listenerTor?.stop()
    await network?.stop()
  })

  let title = ''
  beforeEach(function () {
    title = this.currentTest?.title ?? ''
  })

  transportCompliance({
    async setup () {
      const shared = {
        connectionManager: { dialTimeout: 90_000, addressDialTimeout: 90_000 },
        // liveness pings of their own would add streams the suite counts
        connectionMonitor: { enabled: false }
      }

      return {
        dialer: { ...shared, transports: [onion({ tor: dialerTor })] },
        listener: {
          ...shared,
          addresses: { listen: [`/onion3/${key.serviceId}:4101`, `/onion3/${key.serviceId}:4102`] },
          transports: [onion({ tor: listenerTor, key, descriptorTimeout: NO_DIAL.has(title) ? 0 : undefined })]
        },
        dialMultiaddrMatcher: ONION,
        listenMultiaddrMatcher: ONION
      }
    },
    async teardown () {}
  })
})
