/** Items the tracker keeps exact counts for */
export const DEFAULT_TOP_K = 50_000

/** Counters per sketch row: 2²¹ keeps the over-count under 13 at 10 M counts per half-life */
export const DEFAULT_SKETCH_WIDTH = 2 ** 21

/** Sketch rows */
export const DEFAULT_SKETCH_DEPTH = 4

/** Milliseconds after which every count is halved */
export const DEFAULT_HALF_LIFE = 24 * 3_600_000

/** Milliseconds in which a peer counts once per item */
export const DEFAULT_EPOCH = 3_600_000

/** New (peer, item) pairs a peer may add per epoch: bitswap's own want list limit */
export const DEFAULT_PER_PEER_CAP = 1024

/** Milliseconds between snapshots of the tracker */
export const DEFAULT_SNAPSHOT_INTERVAL = 600_000

/** Weight of a request from a peer that has paid us, against 1 for any other */
export const PAYER_WEIGHT = 4

/** Pair filter bits per sketch counter: 2²⁷ bits (16 MiB) at the default width, about 0.5 % false positives at 12 M pairs per epoch */
export const PAIR_BITS_PER_COUNTER = 64

/** Probes of the pair filter */
export const PAIR_PROBES = 6

/** Bits of the filter of CIDs linked from blocks we hold */
export const CHILD_FILTER_BITS = 2 ** 24

/** Probes of the child filter */
export const CHILD_PROBES = 4

/** Items of local demand (gateway, RPC) kept */
export const LOCAL_TOP_K = 1024

/** Milliseconds within which a raw-codec want after a structured one from the same peer is a walk's leaf */
export const WALK_WINDOW = 10_000

/** Peers tracked per epoch; wants from more are not counted */
export const MAX_TRACKED_PEERS = 65_536

/** Milliseconds between checks for an epoch's end, a halving or a snapshot */
export const TICK_INTERVAL = 60_000

/** Halve after this many counts per sketch counter, whatever the time (TinyLFU's reset) */
export const COUNTS_PER_COUNTER_BEFORE_HALVING = 10

/** The protocol peers trade popular lists on */
export const POPULAR_PROTOCOL = '/torplus/popular/1.0.0'

/** Distinct requesters an item needs before it is published */
export const DEFAULT_MIN_REQUESTERS = 3

/** Most entries in a published list */
export const DEFAULT_PUBLISH_LIMIT = 1000

/** Largest popular list response, bytes */
export const MAX_POPULAR_RESPONSE = 64 * 1024

/** Largest popular list request, bytes */
export const MAX_POPULAR_REQUEST = 64

/** Milliseconds a list exchange may take, either side */
export const DEFAULT_POPULAR_TIMEOUT = 30_000

/** Milliseconds between rebuilds of the published list: a request costs a copy of it, never a walk of the top-K */
export const POPULAR_REBUILD_INTERVAL = 60_000

/** Seconds one peer waits between requests for our list */
export const POPULAR_PEER_INTERVAL_S = 600

/** Requests for our list answered per minute, from all peers together */
export const POPULAR_REQUESTS_PER_MINUTE = 30

/** Inbound list streams open at once */
export const POPULAR_MAX_INBOUND_STREAMS = 2
