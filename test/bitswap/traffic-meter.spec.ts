import { expect } from 'aegir/chai'
import { guardedMiddleware } from '../../src/utils/guarded-middleware.js'
import type { Connection, Stream, StreamMiddleware } from '@libp2p/interface'

/**
 * What libp2p 3.3's connection does with registered middleware: inbound
 * appends the handler to the registered array, then both directions run the
 * array in order
 */
async function runChain (registered: StreamMiddleware[], stream: Stream, handler?: (stream: Stream) => void): Promise<void> {
  if (handler != null) {
    registered.push(async (s, c, next) => { handler(s); next(s, c) })
  }

  for (let i = 0; i < registered.length; i++) {
    await new Promise<void>((resolve, reject) => {
      const result = registered[i](stream, {} as unknown as Connection, () => { resolve() })
      if (result instanceof Promise) result.catch(reject)
    })
  }
}

function stream (id: string, direction: 'inbound' | 'outbound'): Stream {
  const partial: Pick<Stream, 'id' | 'direction'> = { id, direction }
  return partial as Stream
}

describe('bitswap stream middleware guard', () => {
  it('runs the handler once per inbound stream and never on outbound ones', async () => {
    const seen: string[] = []
    const registered = guardedMiddleware([(stream, connection, next) => { seen.push(`mw:${stream.id}`); next(stream, connection) }])
    const handled: string[] = []
    const handler = (stream: Stream): void => { handled.push(stream.id) }

    await runChain(registered, stream('in1', 'inbound'), handler)
    await runChain(registered, stream('in2', 'inbound'), handler)
    await runChain(registered, stream('out1', 'outbound'))
    await runChain(registered, stream('in3', 'inbound'), handler)

    expect(handled).to.deep.equal(['in1', 'in2', 'in3'])
    expect(seen).to.deep.equal(['mw:in1', 'mw:in2', 'mw:out1', 'mw:in3'])
    expect(registered).to.have.lengthOf(1)
  })
})
