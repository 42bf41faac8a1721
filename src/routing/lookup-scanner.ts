/**
 * Reads the content keys of the GET_PROVIDERS requests peers send us, as
 * kad-dht reads them, for whoever counts demand (the `ProviderLookupObserver`
 * port). Only a request's type and key are kept: the walker skips the rest
 * of each message by its length.
 */
import { FrameWalker } from '../utils/frame-walker.js'
import { wrapFirstMessageListener } from '../utils/message-listener.js'
import type { PeerId, StreamMiddleware } from '@libp2p/interface'

/** kad-dht's `MessageType.GET_PROVIDERS` */
const GET_PROVIDERS = 3
const FIELD_TYPE = 1
const FIELD_KEY = 2
/** A provider key is a multihash: 64-byte digests and their prefix fit */
const MAX_KEY_LENGTH = 128

/** What the DHT tells of the content peers look for */
export interface ProviderLookupObserver {
  /** `peer` asked us for providers of `key` (a multihash, as the DHT keys content) */
  observeProviderLookup(peer: PeerId, key: Uint8Array): void
}

/**
 * Stream middleware that reports each inbound GET_PROVIDERS request to
 * `observer`; requests arrive on inbound streams only
 */
export function observeLookups (observer: ProviderLookupObserver, maxMessageSize: number): StreamMiddleware {
  return (stream, connection, next) => {
    if (stream.direction === 'inbound') {
      wrapFirstMessageListener(stream, listener => {
        const walker = lookupWalker(key => { observer.observeProviderLookup(connection.remotePeer, key) }, maxMessageSize)

        return (evt) => {
          walker.push(evt.data)
          listener(evt)
        }
      })
    }

    next(stream, connection)
  }
}

/** A walker that calls `found` with the key of each GET_PROVIDERS message */
export function lookupWalker (found: (key: Uint8Array) => void, maxMessageSize: number): FrameWalker {
  // proto3 leaves a zero type out, so both fields are read before deciding
  let type = 0
  let key: Uint8Array | undefined

  return new FrameWalker({
    maxLength: maxMessageSize,
    fields: {
      keep: field => field === FIELD_KEY ? MAX_KEY_LENGTH : 0,
      varint: (field, value) => {
        if (field === FIELD_TYPE) {
          type = value
        }
      },
      bytes: (field, value) => {
        if (field === FIELD_KEY) {
          key = value
        }
      },
      malformed: () => {
        key = undefined
      },
      end: () => {
        if (type === GET_PROVIDERS && key != null && key.byteLength > 0) {
          found(key)
        }

        type = 0
        key = undefined
      }
    }
  })
}
