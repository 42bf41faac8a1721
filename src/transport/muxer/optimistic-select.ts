/**
 * Optimistic multistream-select for chosen protocols, as go-libp2p and
 * rust-libp2p do it: an outbound stream sends the multistream header, the
 * protocol and its first data at once, instead of waiting a round trip for
 * the remote's echo. libp2p 3 types a `negotiateFully` option but always
 * negotiates in full, so this decorates the stream muxer instead.
 *
 * Why it matters over tor: the echo travels back behind every byte the
 * remote has queued towards us. Bitswap opens a stream per message, so on a
 * busy onion circuit a fetcher's wants waited behind megabytes of the very
 * blocks they were asking to follow, and the provider ran out of work.
 *
 * The listener side is plain multistream-select, so any libp2p peer accepts
 * these streams. Two rules keep it safe. The echo is checked when it
 * arrives: anything else ("na") aborts the stream with
 * UnsupportedProtocolError. And the end of our writes (FIN) waits for the
 * echo: a js-libp2p listener that gets the proposal, the data and the FIN in
 * one read closes its readable end before it hands the data on, and resets
 * the stream.
 */
import { UnsupportedProtocolError } from '@libp2p/interface'
import * as lp from 'it-length-prefixed'
import { concat as uint8ArrayConcat } from 'uint8arrays/concat'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { decorateMuxer } from './decorator.js'
import type { MuxerFactoryInit } from './decorator.js'
import type { AbortOptions, ComponentLogger, CreateStreamOptions, Logger, Stream } from '@libp2p/interface'
import type { AbstractStream } from '@libp2p/utils'

const MULTISTREAM_HEADER = '/multistream/1.0.0'

/** What a muxer hands a stream: bytes, in one piece or as a list */
type StreamData = Parameters<AbstractStream['onData']>[0]

/** The two hooks of a muxed stream this module takes over */
type MuxedStream = Stream & Pick<AbstractStream, 'onData' | 'sendCloseWrite'>

export interface OptimisticSelectComponents {
  logger: ComponentLogger
}

export interface OptimisticSelectInit {
  /**
   * Protocols whose outbound streams do not wait for the remote's echo. Only
   * one-protocol dials are affected. A peer that does not speak the protocol
   * has the stream aborted when its "na" arrives, so list protocols that are
   * only opened to peers known (through identify) to speak them.
   */
  protocols: string[]
}

/**
 * Wrap a stream muxer (e.g. `yamux()`) so that outbound streams for the given
 * protocols negotiate optimistically
 */
export function optimisticSelect<C extends OptimisticSelectComponents> (muxer: MuxerFactoryInit<C>, init: OptimisticSelectInit): MuxerFactoryInit<C> {
  const protocols = new Set(init.protocols)

  return decorateMuxer(muxer, (streamMuxer, components) => {
    const log = components.logger.forComponent('torplus:optimistic-select')
    const createStream = streamMuxer.createStream.bind(streamMuxer)

    streamMuxer.createStream = async (options: CreateStreamOptions = {}) => {
      const stream = await createStream(options)

      if (options.protocol != null && protocols.has(options.protocol)) {
        selectOptimistically(stream as MuxedStream, options.protocol, log)
      }

      return stream
    }
  })
}

function selectOptimistically (stream: MuxedStream, protocol: string, log: Logger): void {
  const proposal = uint8ArrayConcat([`${MULTISTREAM_HEADER}\n`, `${protocol}\n`].map(line =>
    lp.encode.single(uint8ArrayFromString(line)).subarray()))
  const sendCloseWrite = stream.sendCloseWrite.bind(stream)
  let echoed = false
  let closeWhenEchoed = false

  // the listener accepts by sending the proposal's bytes back
  awaitEcho(stream, proposal, {
    onEcho () {
      echoed = true

      if (closeWhenEchoed) {
        sendCloseWrite().catch((err: Error) => { stream.abort(err) })
      }
    },
    onRefused () {
      log('%s refused by the remote on stream %s', protocol, stream.id)
      stream.abort(new UnsupportedProtocolError(`the remote does not support ${protocol}`))
    }
  })

  stream.sendCloseWrite = async (options?: AbortOptions) => {
    if (echoed) {
      await sendCloseWrite(options)
      return
    }

    // our end is closed for writes at once; the remote learns it after its echo
    closeWhenEchoed = true
  }

  stream.send(proposal)
  // a set protocol tells the connection that negotiation is done
  stream.protocol = protocol
}

interface EchoHandlers {
  onEcho(): void
  onRefused(): void
}

/**
 * Hold back the echo from the stream's reader. onData is how the muxer feeds
 * a stream, so this sees the bytes even when the reader has closed its end
 * (bitswap does so at once).
 */
function awaitEcho (stream: MuxedStream, echo: Uint8Array, handlers: EchoHandlers): void {
  const onData = stream.onData.bind(stream)
  let matched = 0

  stream.onData = (data: StreamData) => {
    const bytes = data instanceof Uint8Array ? data : data.subarray()
    const length = Math.min(bytes.byteLength, echo.byteLength - matched)

    for (let i = 0; i < length; i++) {
      if (bytes[i] !== echo[matched + i]) {
        stream.onData = onData
        handlers.onRefused()
        return
      }
    }

    matched += length

    if (matched < echo.byteLength) {
      return
    }

    stream.onData = onData
    handlers.onEcho()

    if (length < bytes.byteLength) {
      onData(bytes.subarray(length))
    }
  }
}
