/**
 * The delivery meter reaches into bitswap once the whole node has started;
 * when bitswap's internals are not where it looks, it says so, and the node
 * refuses to start rather than run unable to pay
 */
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import { TypedEventEmitter } from 'main-event'
import { bitswapInternals, deliveryMeter } from '../../src/bitswap/index.js'

describe('delivery meter', () => {
  it('reports bitswap internals it cannot find once the node has started, and not before', () => {
    const node = new TypedEventEmitter<{ start: CustomEvent }>()
    // a Helia whose block brokers are not what @helia/bitswap adds
    const meter = deliveryMeter({ bitswap: () => bitswapInternals({ blockBrokers: [] }), startAfter: node })({
      peerTraffic: { addDelivered: () => {} },
      logger: defaultLogger()
    })

    meter.start()
    expect(meter.failure).to.be.undefined()

    node.safeDispatchEvent('start')
    expect(meter.failure).to.have.property('name', 'BitswapInternalsChangedError')
    meter.stop()
  })
})
