/**
 * A spy on what a libp2p node receives: a stream muxer decorator records the
 * bytes that arrive on every stream, and `findIpAddresses` decodes the
 * identify and DHT messages among them field by field, checking every
 * multiaddr they carry (listen and observed addresses, signed peer records,
 * closer and provider peers) and every string, for IP addresses in any form
 */
import { publicKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { Uint8ArrayList } from 'uint8arraylist'
import { decorateMuxer } from '../../src/transport/muxer/decorator.js'
import type { MuxerFactoryInit } from '../../src/transport/muxer/decorator.js'
import type { Stream } from '@libp2p/interface'

const IDENTIFY_PROTOCOLS = ['/ipfs/id/1.0.0', '/ipfs/id/push/1.0.0']
const IP_PROTOCOLS = new Set(['ip4', 'ip6', 'ip6zone', 'ipcidr', 'dns', 'dns4', 'dns6', 'dnsaddr'])
const IP_TEXT = [/\/(ip4|ip6|ip6zone|dns|dns4|dns6|dnsaddr)\//, /\b(\d{1,3}\.){3}\d{1,3}\b/, /\[?[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}\]?:\d+/i]

export interface RecordedStream {
  stream: Stream
  received: Uint8ArrayList
}

/**
 * Wrap a muxer so that every stream, inbound and outbound, records what
 * arrives on it
 */
export function recordStreams<C> (muxer: MuxerFactoryInit<C>, streams: RecordedStream[]): MuxerFactoryInit<C> {
  const record = (stream: Stream): void => {
    const target = stream as Stream & { onData(data: Uint8Array | Uint8ArrayList): void }
    const onData = target.onData.bind(stream)
    const entry = { stream, received: new Uint8ArrayList() }
    streams.push(entry)

    target.onData = (data) => {
      entry.received.append(data instanceof Uint8Array ? data.slice() : data.subarray().slice())
      onData(data)
    }
  }

  return decorateMuxer(muxer, (streamMuxer) => {
    const createStream = streamMuxer.createStream.bind(streamMuxer)
    streamMuxer.createStream = async (options) => {
      const stream = await createStream(options)
      record(stream)
      return stream
    }

    const target = streamMuxer as typeof streamMuxer & { onRemoteStream(stream: Stream): void }
    const onRemoteStream = target.onRemoteStream.bind(streamMuxer)
    target.onRemoteStream = (stream) => {
      record(stream)
      onRemoteStream(stream)
    }
  })
}

interface Field {
  field: number
  bytes?: Uint8Array
}

/** Reads protobuf varints and length-delimited bytes */
class Reader {
  offset = 0
  constructor (readonly buf: Uint8Array) {}

  get done (): boolean {
    return this.offset >= this.buf.byteLength
  }

  varint (): number {
    let value = 0

    for (let shift = 0; shift < 64; shift += 7) {
      if (this.done) {
        throw new Error('truncated varint')
      }

      const byte = this.buf[this.offset++]
      value += (byte & 0x7f) * 2 ** shift

      if ((byte & 0x80) === 0) {
        return value
      }
    }

    throw new Error('varint too long')
  }

  bytes (length: number): Uint8Array {
    if (this.offset + length > this.buf.byteLength) {
      throw new Error('truncated field')
    }

    this.offset += length
    return this.buf.subarray(this.offset - length, this.offset)
  }
}

/** The fields of one protobuf message; varints and fixed values carry no bytes */
function fields (buf: Uint8Array): Field[] {
  const reader = new Reader(buf)
  const out: Field[] = []

  while (!reader.done) {
    const key = reader.varint()
    const wireType = key & 0x07
    const field = Math.floor(key / 8)

    if (wireType === 0) {
      reader.varint()
      out.push({ field })
    } else if (wireType === 2) {
      out.push({ field, bytes: reader.bytes(reader.varint()) })
    } else if (wireType === 1 || wireType === 5) {
      reader.bytes(wireType === 1 ? 8 : 4)
      out.push({ field })
    } else {
      throw new Error(`wire type ${wireType}`)
    }
  }

  return out
}

const bytesOf = (buf: Uint8Array, ...path: number[]): Uint8Array[] => {
  let level = [buf]

  for (const field of path) {
    level = level.flatMap(message => fields(message).flatMap(f => f.field === field && f.bytes != null ? [f.bytes] : []))
  }

  return level
}

export interface SpyReport {
  identifyMessages: number
  /** Peer ids, from the public keys in the identify messages */
  identifySenders: string[]
  dhtMessages: number
  /** Multiaddrs decoded from the messages */
  multiaddrs: string[]
  /** What looked like an IP address, and where */
  leaks: string[]
}

/** The multiaddrs an identify message carries */
function identifyAddresses (message: Uint8Array): Uint8Array[] {
  return [
    ...bytesOf(message, 2),
    ...bytesOf(message, 4),
    // signedPeerRecord → envelope payload → PeerRecord addresses → multiaddr
    ...bytesOf(message, 8, 3, 3, 1)
  ]
}

/** The multiaddrs a kad-dht message carries: closer and provider peers */
function dhtAddresses (message: Uint8Array): Uint8Array[] {
  return [...bytesOf(message, 8, 2), ...bytesOf(message, 9, 2)]
}

/**
 * Decode the identify and DHT messages recorded, and report every IP address
 */
export function findIpAddresses (streams: RecordedStream[], dhtProtocol: string): SpyReport {
  const report: SpyReport = { identifyMessages: 0, identifySenders: [], dhtMessages: 0, multiaddrs: [], leaks: [] }

  for (const { stream, received } of streams) {
    const protocol = stream.protocol ?? ''
    const isIdentify = IDENTIFY_PROTOCOLS.includes(protocol)

    if (!isIdentify && protocol !== dhtProtocol) {
      continue
    }

    for (const message of decodeFrames(received)) {
      const text = new TextDecoder().decode(message)

      // multistream-select lines: the protocol ids, "na"
      if (text.endsWith('\n') && (text.startsWith('/') || text === 'na\n')) {
        continue
      }

      const where = `${protocol} from ${stream.direction === 'inbound' ? 'an inbound' : 'an outbound'} stream`
      let addresses: Uint8Array[]

      try {
        addresses = isIdentify ? identifyAddresses(message) : dhtAddresses(message)
      } catch (err: any) {
        report.leaks.push(`undecodable ${where}: ${err.message}`)
        continue
      }

      if (isIdentify) {
        report.identifyMessages++
        report.identifySenders.push(...bytesOf(message, 1).map(key => peerIdFromPublicKey(publicKeyFromProtobuf(key)).toString()))
      } else {
        report.dhtMessages++
      }

      for (const bytes of addresses) {
        checkAddress(bytes, where, report)
      }

      const pattern = IP_TEXT.find(re => re.test(text))

      if (pattern != null) {
        report.leaks.push(`text matching ${pattern} in ${where}: ${JSON.stringify(pattern.exec(text)?.[0])}`)
      }
    }
  }

  return report
}

function checkAddress (bytes: Uint8Array, where: string, report: SpyReport): void {
  try {
    const ma = multiaddr(bytes)
    report.multiaddrs.push(ma.toString())

    if (ma.getComponents().some(component => IP_PROTOCOLS.has(component.name))) {
      report.leaks.push(`${ma} in ${where}`)
    }
  } catch {
    report.leaks.push(`an address that is not a multiaddr in ${where}`)
  }
}

/** The length-prefixed frames received; a last, cut-off one is left out */
function decodeFrames (received: Uint8ArrayList): Uint8Array[] {
  const reader = new Reader(received.subarray())
  const frames: Uint8Array[] = []

  try {
    while (!reader.done) {
      frames.push(reader.bytes(reader.varint()))
    }
  } catch {
    // the stream ended mid-message
  }

  return frames
}
