/**
 * kad-dht query events in Kubo's RPC shape (routing.QueryEvent), which
 * kubo-rpc-client reads: {ID, Type, Responses: [{ID, Addrs}], Extra}
 */
import { EventTypes } from '@libp2p/kad-dht'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import type { PeerInfo } from '@libp2p/interface'
import type { QueryEvent } from '@libp2p/kad-dht'

export interface KuboQueryEvent {
  ID: string
  Type: number
  Responses: Array<{ ID: string, Addrs: string[] }> | null
  Extra: string
}

/** A peer and its addresses, each once: kad-dht can list one twice */
function toResponse (peer: PeerInfo): { ID: string, Addrs: string[] } {
  return { ID: peer.id.toString(), Addrs: [...new Set(peer.multiaddrs.map(ma => ma.toString()))] }
}

/**
 * The Kubo form of an event; undefined for events Kubo has no type for
 */
export function toKuboQueryEvent (event: QueryEvent): KuboQueryEvent | undefined {
  switch (event.type) {
    case EventTypes.SEND_QUERY:
      return { ID: event.to.toString(), Type: event.type, Responses: null, Extra: event.messageName }
    case EventTypes.PEER_RESPONSE:
      return { ID: event.from.toString(), Type: event.type, Responses: [...event.closer, ...event.providers].map(toResponse), Extra: '' }
    case EventTypes.FINAL_PEER:
      return { ID: event.peer.id.toString(), Type: event.type, Responses: [toResponse(event.peer)], Extra: '' }
    case EventTypes.QUERY_ERROR:
      return { ID: event.from.toString(), Type: event.type, Responses: null, Extra: event.error.message }
    case EventTypes.PROVIDER:
      return { ID: event.from.toString(), Type: event.type, Responses: event.providers.map(toResponse), Extra: '' }
    case EventTypes.VALUE:
      return { ID: event.from.toString(), Type: event.type, Responses: null, Extra: uint8ArrayToString(event.value, 'base64pad') }
    case EventTypes.ADD_PEER:
      return { ID: '', Type: event.type, Responses: [{ ID: event.peer.toString(), Addrs: [] }], Extra: '' }
    case EventTypes.DIAL_PEER:
      return { ID: event.peer.toString(), Type: event.type, Responses: null, Extra: '' }
    default:
      return undefined
  }
}
