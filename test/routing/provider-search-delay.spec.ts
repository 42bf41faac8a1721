/**
 * A fetch searches the DHT for providers only after Routing.ProviderSearchDelay,
 * and not at all when the block arrives first
 */
import { expect } from 'aegir/chai'
import all from 'it-all'
import { CID } from 'multiformats/cid'
import { delayProviderSearch } from '../../src/routing/index.js'
import type { Provider, Routing } from '@helia/interface'

const cid = CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')

function countingRouting (): { routing: Routing, searches: number[] } {
  const searches: number[] = []
  const routing = {
    async * findProviders () {
      searches.push(Date.now())
      yield { id: cid, multiaddrs: [], routing: 'test' } as unknown as Provider
    }
  } as unknown as Routing

  return { routing, searches }
}

describe('provider search delay', () => {
  it('starts the search after the delay', async () => {
    const { routing, searches } = countingRouting()
    delayProviderSearch(routing, 200)
    const started = Date.now()

    expect(await all(routing.findProviders(cid))).to.have.lengthOf(1)
    expect(searches[0] - started).to.be.at.least(190)
  })

  it('never searches when the fetch is over before the delay', async () => {
    const { routing, searches } = countingRouting()
    delayProviderSearch(routing, 200)

    await expect(all(routing.findProviders(cid, { signal: AbortSignal.timeout(50) }))).to.eventually.be.rejected.with.property('name', 'AbortError')
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(searches).to.be.empty()
  })

  it('leaves the search as it is with a delay of 0', async () => {
    const { routing, searches } = countingRouting()
    const search = routing.findProviders
    delayProviderSearch(routing, 0)

    expect(routing.findProviders).to.equal(search)
    await all(routing.findProviders(cid))
    expect(searches).to.have.lengthOf(1)
  })
})
