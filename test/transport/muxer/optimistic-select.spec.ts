/**
 * Optimistic multistream-select between two libp2p nodes on loopback TCP:
 * the dialer wraps its muxer, the listener is stock libp2p
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { UnsupportedProtocolError } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { expect } from 'aegir/chai'
import { createLibp2p } from 'libp2p'
import { pEvent } from 'p-event'
import { optimisticSelect } from '../../../src/transport/muxer/optimistic-select.js'
import type { Libp2p, Stream } from '@libp2p/interface'

const ECHO = '/test/echo/1.0.0'
const MISSING = '/test/missing/1.0.0'

async function node (optimistic: string[] = []): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [optimistic.length > 0 ? optimisticSelect(yamux(), { protocols: optimistic }) : yamux()],
    connectionManager: { resolvers: {} }
  })
}

async function readAll (stream: Stream): Promise<string> {
  let text = ''

  for await (const chunk of stream) {
    text += new TextDecoder().decode(chunk.subarray())
  }

  return text
}

describe('optimistic multistream-select', () => {
  let dialer: Libp2p
  let listener: Libp2p
  const received: string[] = []

  beforeEach(async () => {
    received.length = 0
    listener = await node()
    dialer = await node([ECHO, MISSING])
    await listener.handle(ECHO, async (stream) => {
      const text = await readAll(stream)
      received.push(text)
      stream.send(new TextEncoder().encode(`echo:${text}`))
      await stream.close()
    })
  })

  afterEach(async () => {
    await Promise.all([dialer?.stop(), listener?.stop()])
  })

  it('sends the first data with the proposal, and the reader never sees the echo', async () => {
    const stream = await dialer.dialProtocol(listener.getMultiaddrs(), ECHO, { signal: AbortSignal.timeout(5_000) })
    expect(stream.protocol).to.equal(ECHO)

    stream.send(new TextEncoder().encode('hello'))
    await stream.close()

    expect(await readAll(stream)).to.equal('echo:hello')
    expect(received).to.deep.equal(['hello'])
  })

  it('hands over the stream before the remote answers, and aborts it when the remote refuses', async () => {
    // with full negotiation dialProtocol itself would reject
    const stream = await dialer.dialProtocol(listener.getMultiaddrs(), MISSING, { signal: AbortSignal.timeout(5_000) })
    const closed = await pEvent(stream, 'close', { timeout: 5_000 })

    expect((closed as unknown as { error?: Error }).error?.name).to.equal(UnsupportedProtocolError.name)
    expect(stream.status).to.equal('aborted')
  })

  it('leaves other protocols to full negotiation', async () => {
    await listener.handle('/test/plain/1.0.0', async (stream) => { await stream.close() })

    await expect(dialer.dialProtocol(listener.getMultiaddrs(), '/test/other/1.0.0', { signal: AbortSignal.timeout(5_000) }))
      .to.eventually.be.rejected.with.property('name', UnsupportedProtocolError.name)
  })
})
