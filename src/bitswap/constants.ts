/** The bitswap protocol TorPlus speaks, unchanged on the wire */
export const BITSWAP_PROTOCOL = '/ipfs/bitswap/1.2.0'

/**
 * Bytes a delivered block counts for beyond its data: its share of the
 * message framing (length prefix, field tags, CID prefix, the protocol
 * header of a stream carrying it), generously, so that an honest payee's
 * count of bytes sent never runs ahead of ours
 */
export const BLOCK_FRAMING = 64

/** Bytes an answer to a want (HAVE, DONT_HAVE) counts for beyond its CID */
export const PRESENCE_FRAMING = 16

/** Wants per peer the delivery meter keeps track of; more are not paid for */
export const MAX_ASKED_PER_PEER = 100_000

/**
 * Milliseconds a want sent outside the want list (a session's) counts as
 * one the peer is serving: bitswap never says when it gives one up
 */
export const ASKED_TTL = 60_000
