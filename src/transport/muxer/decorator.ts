/**
 * The common shape of our stream muxer decorators: a muxer factory (e.g.
 * `yamux()`) wrapped so that each muxer it creates can be adjusted before the
 * connection uses it
 */
import type { StreamMuxer, StreamMuxerFactory } from '@libp2p/interface'

export interface MuxerFactoryInit<C> {
  (components: C): StreamMuxerFactory
}

export function decorateMuxer<C> (muxer: MuxerFactoryInit<C>, decorate: (streamMuxer: StreamMuxer, components: C) => void): MuxerFactoryInit<C> {
  return (components) => {
    const factory = muxer(components)

    return {
      protocol: factory.protocol,
      createStreamMuxer (maConn) {
        const streamMuxer = factory.createStreamMuxer(maConn)
        decorate(streamMuxer, components)
        return streamMuxer
      }
    }
  }
}
