/**
 * Bounded data frames for a stream muxer. libp2p documents a muxer's
 * `maxMessageSize` (64 KiB by default) as the most one stream sends in one
 * piece, so that no stream hogs the connection, but @chainsafe/libp2p-yamux 8
 * sends as much as the stream's window allows, up to 16 MiB, in one frame.
 *
 * On an onion circuit at a few MiB/s such a frame holds the connection for
 * seconds: nothing of it reaches the reader until its last byte (a bitswap
 * fetcher sees no block and asks for no more), and every other stream's
 * frames, window updates and liveness pings queue behind it. A frame of the
 * default size, with its 12-byte header, fills one noise message (65,519
 * bytes of payload) exactly.
 */
import { decorateMuxer } from './decorator.js'
import type { MuxerFactoryInit } from './decorator.js'
import type { CreateStreamOptions, Stream, StreamMuxer } from '@libp2p/interface'
import type { AbstractStream, AbstractStreamMuxer } from '@libp2p/utils'

/** The hook of a muxed stream that turns bytes into frames */
type FramingStream = Stream & Pick<AbstractStream, 'sendData'>

export interface FrameLimitInit {
  /**
   * Most payload bytes in one data frame
   *
   * @default 65_507
   */
  maxFrameSize?: number
}

export const DEFAULT_MAX_FRAME_SIZE = 65_507

/**
 * Wrap a stream muxer (e.g. `yamux()`) so that no data frame, in either
 * direction of any stream, carries more than `maxFrameSize` bytes
 */
export function frameLimit<C> (muxer: MuxerFactoryInit<C>, init: FrameLimitInit = {}): MuxerFactoryInit<C> {
  const maxFrameSize = init.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE

  return decorateMuxer(muxer, (streamMuxer) => {
    const createStream = streamMuxer.createStream.bind(streamMuxer)
    // the muxer announces inbound streams through onRemoteStream; a 'stream'
    // listener of our own would take them before the connection listens
    const remote = streamMuxer as StreamMuxer & Pick<AbstractStreamMuxer, 'onRemoteStream'>
    const onRemoteStream = remote.onRemoteStream.bind(streamMuxer)

    streamMuxer.createStream = async (options?: CreateStreamOptions) => {
      const stream = await createStream(options)
      limitFrames(stream as FramingStream, maxFrameSize)
      return stream
    }

    remote.onRemoteStream = (stream) => {
      limitFrames(stream as FramingStream, maxFrameSize)
      onRemoteStream(stream)
    }
  })
}

function limitFrames (stream: FramingStream, maxFrameSize: number): void {
  const sendData = stream.sendData.bind(stream)

  stream.sendData = (data) => {
    let sentBytes = 0
    let canSendMore = true

    while (canSendMore && sentBytes < data.byteLength) {
      const size = Math.min(maxFrameSize, data.byteLength - sentBytes)
      const result = sendData(data.sublist(sentBytes, sentBytes + size))
      sentBytes += result.sentBytes
      canSendMore = result.canSendMore

      // the stream's window is spent: the rest waits for an update
      if (result.sentBytes < size) {
        break
      }
    }

    return { sentBytes, canSendMore }
  }
}
