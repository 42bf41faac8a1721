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

/** Milliseconds between writes of changed per-peer counts */
export const DEFAULT_FLUSH_INTERVAL = 1_000

/** Bytes counted after which changed per-peer counts are written at once */
export const DEFAULT_FLUSH_BYTES = 4 * 1024 * 1024

/** Milliseconds after which a peer with no traffic is forgotten */
export const DEFAULT_FORGET_IDLE = 3_600_000

/** Bounds of the interval between sweeps for idle peers, in ms */
export const MIN_FORGET_SWEEP_INTERVAL = 1_000
export const MAX_FORGET_SWEEP_INTERVAL = 600_000

/** Milliseconds a held stream waits for its peer to pay before it is reset */
export const DEFAULT_HOLD_TIMEOUT = 300_000

/** Streams held per peer until it pays; more are reset */
export const DEFAULT_MAX_HELD_PER_PEER = 8

/** Streams held in all until their peers pay */
export const DEFAULT_MAX_HELD = 256

/** Milliseconds before a peer that did not pay is billed again */
export const DEFAULT_BILL_RETRY_INTERVAL = 30_000

/** Bytes of a message's want list read for the want observer: 1,024 wants of a 36-byte CID with their framing take about 45 KiB */
export const MAX_OBSERVED_WANTLIST = 64 * 1024
