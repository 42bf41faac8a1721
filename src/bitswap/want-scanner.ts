/**
 * Reads the wants in the bitswap messages peers send us, as bitswap reads
 * them, for whoever counts demand (the `WantObserver` port). Inbound
 * streams carry a peer's wants and the blocks it sends us: only the want
 * list (field 1) is kept, blocks and presences are skipped by length.
 */
import { reader } from 'protons-runtime'
import { FrameWalker } from '../utils/frame-walker.js'
import { wrapFirstMessageListener } from '../utils/message-listener.js'
import { MAX_OBSERVED_WANTLIST } from './constants.js'
import type { PeerId, StreamMiddleware } from '@libp2p/interface'

const FIELD_WANTLIST = 1
const FIELD_ENTRIES = 1
const FIELD_CID = 1
const FIELD_CANCEL = 3
const FIELD_WANT_TYPE = 4
const WANT_HAVE = 1

export interface Want {
  /** The CID's bytes as the peer sent them: not checked */
  cid: Uint8Array
  /** A WANT_HAVE: the peer asks whether we have it */
  have: boolean
}

/** What bitswap tells of the content peers want */
export interface WantObserver {
  /** The wants of one message from `peer` (cancels left out) */
  observeWants(peer: PeerId, wants: Want[]): void

  /** A message from `peer` whose want list could not be read */
  unreadableWants?(peer: PeerId): void
}

/**
 * Stream middleware that reports the wants of each message on inbound
 * bitswap streams to `observer`, once bitswap reads them (a stream the
 * credit gate holds is reported only once admitted)
 */
export function observeWants (observer: WantObserver): StreamMiddleware {
  return (stream, connection, next) => {
    if (stream.direction === 'inbound') {
      wrapFirstMessageListener(stream, listener => {
        const peer = connection.remotePeer
        const walker = wantWalker(wants => { observer.observeWants(peer, wants) }, () => observer.unreadableWants?.(peer))

        return (evt) => {
          if (walker.walking) {
            walker.push(evt.data)
          }

          listener(evt)
        }
      })
    }

    next(stream, connection)
  }
}

/** A walker that calls `found` with the wants of each message that has some */
export function wantWalker (found: (wants: Want[]) => void, unreadable: () => void): FrameWalker {
  return new FrameWalker({
    // bitswap enforces its own message limit; nothing is buffered here by a message's length
    maxLength: Number.MAX_SAFE_INTEGER,
    fields: {
      keep: field => field === FIELD_WANTLIST ? MAX_OBSERVED_WANTLIST : 0,
      bytes: (field, value) => {
        if (field !== FIELD_WANTLIST) {
          return
        }

        const wants = readWantlist(value)

        if (wants == null) {
          unreadable()
        } else if (wants.length > 0) {
          found(wants)
        }
      },
      malformed: unreadable
    }
  })
}

/** The wants of an encoded `Wantlist`, or undefined when it does not decode */
export function readWantlist (bytes: Uint8Array): Want[] | undefined {
  const wants: Want[] = []

  try {
    const list = reader(bytes)

    while (list.pos < list.len) {
      const tag = list.uint32()

      if (tag >>> 3 !== FIELD_ENTRIES || (tag & 7) !== 2) {
        list.skipType(tag & 7)
        continue
      }

      const want = readEntry(list.bytes())

      if (want != null) {
        wants.push(want)
      }
    }
  } catch {
    return undefined
  }

  return wants
}

/** One entry; undefined for a cancel or an entry with no CID */
function readEntry (bytes: Uint8Array): Want | undefined {
  const entry = reader(bytes)
  let cid: Uint8Array | undefined
  let cancel = false
  let have = false

  while (entry.pos < entry.len) {
    const tag = entry.uint32()

    switch (tag >>> 3) {
      case FIELD_CID:
        cid = entry.bytes()
        break
      case FIELD_CANCEL:
        cancel = entry.bool()
        break
      case FIELD_WANT_TYPE:
        have = entry.int32() === WANT_HAVE
        break
      default:
        entry.skipType(tag & 7)
    }
  }

  return cancel || cid == null || cid.byteLength === 0 ? undefined : { cid, have }
}
