/**
 * Bounded yamux data frames between two libp2p nodes on loopback TCP. The
 * receiving side's muxer is watched: it feeds each stream one data frame at
 * a time.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { expect } from 'aegir/chai'
import { createLibp2p } from 'libp2p'
import { decorateMuxer } from '../../../src/transport/muxer/decorator.js'
import { frameLimit } from '../../../src/transport/muxer/frame-limit.js'
import type { MuxerFactoryInit } from '../../../src/transport/muxer/decorator.js'
import type { Libp2p, Stream, StreamMuxer } from '@libp2p/interface'
import type { AbstractStream, AbstractStreamMuxer } from '@libp2p/utils'

const PROTOCOL = '/test/bulk/1.0.0'
const MiB = 1024 * 1024

type WatchedStream = Stream & Pick<AbstractStream, 'onData'>

/** Record the size of every data frame the muxer hands its streams */
function frameSizes<C> (muxer: MuxerFactoryInit<C>, sizes: number[]): MuxerFactoryInit<C> {
  const watch = (stream: WatchedStream): void => {
    const onData = stream.onData.bind(stream)
    stream.onData = (data) => { sizes.push(data.byteLength); onData(data) }
  }

  return decorateMuxer(muxer, (streamMuxer) => {
    const remote = streamMuxer as StreamMuxer & Pick<AbstractStreamMuxer, 'onRemoteStream'>
    const onRemoteStream = remote.onRemoteStream.bind(streamMuxer)
    const createStream = streamMuxer.createStream.bind(streamMuxer)
    remote.onRemoteStream = (stream) => { watch(stream as WatchedStream); onRemoteStream(stream) }
    streamMuxer.createStream = async (options) => {
      const stream = await createStream(options)
      watch(stream as WatchedStream)
      return stream
    }
  })
}

async function node (limit?: number, frames: number[] = []): Promise<Libp2p> {
  const muxer = limit == null ? yamux() : frameLimit(yamux(), { maxFrameSize: limit })

  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [frameSizes(muxer, frames)],
    connectionManager: { resolvers: {} }
  })
}

function pattern (size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 7) % 251)
}

async function receive (stream: Stream): Promise<Uint8Array> {
  const pieces: Uint8Array[] = []

  for await (const piece of stream) {
    pieces.push(piece.subarray())
  }

  const bytes = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0))
  let offset = 0

  for (const piece of pieces) {
    bytes.set(piece, offset)
    offset += piece.byteLength
  }

  return bytes
}

async function sendAll (stream: Stream, data: Uint8Array): Promise<void> {
  if (!stream.send(data)) {
    await stream.onDrain()
  }

  await stream.close()
}

describe('frame limit', () => {
  const nodes: Libp2p[] = []
  const data = pattern(3 * MiB)
  let dialerFrames: number[]
  let listenerFrames: number[]

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async n => n.stop()))
  })

  async function pair (dialerLimit?: number, listenerLimit?: number): Promise<[Libp2p, Libp2p]> {
    dialerFrames = []
    listenerFrames = []
    const dialer = await node(dialerLimit, dialerFrames)
    const listener = await node(listenerLimit, listenerFrames)
    nodes.push(dialer, listener)
    return [dialer, listener]
  }

  it('splits what an outbound stream sends into frames of at most the limit, bytes intact', async () => {
    const [dialer, listener] = await pair(16_384)
    const received = new Promise<Uint8Array>(resolve => {
      void listener.handle(PROTOCOL, async (stream) => { resolve(await receive(stream)) })
    })

    const stream = await dialer.dialProtocol(listener.getMultiaddrs(), PROTOCOL, { signal: AbortSignal.timeout(5_000) })
    await sendAll(stream, data)

    expect(await received).to.deep.equal(data)
    expect(Math.max(...listenerFrames)).to.equal(16_384)
  })

  it('limits inbound streams too', async () => {
    const [dialer, listener] = await pair(undefined, 16_384)
    await listener.handle(PROTOCOL, async (stream) => { await sendAll(stream, data) })

    const stream = await dialer.dialProtocol(listener.getMultiaddrs(), PROTOCOL, { signal: AbortSignal.timeout(5_000) })
    await stream.close()

    expect(await receive(stream)).to.deep.equal(data)
    expect(Math.max(...dialerFrames)).to.equal(16_384)
  })

  it('is what makes the difference: plain yamux sends a whole window in one frame', async () => {
    const [dialer, listener] = await pair()
    const received = new Promise<Uint8Array>(resolve => {
      void listener.handle(PROTOCOL, async (stream) => { resolve(await receive(stream)) })
    })

    const stream = await dialer.dialProtocol(listener.getMultiaddrs(), PROTOCOL, { signal: AbortSignal.timeout(5_000) })
    await sendAll(stream, data)
    await received

    expect(Math.max(...listenerFrames)).to.be.at.least(256 * 1024 - 12)
  })
})
