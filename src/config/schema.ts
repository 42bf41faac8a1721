/**
 * The repo config: one JSON file with Kubo-style PascalCase keys. Each key has
 * a default and a description, so `config show` and the docs come from here.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { DEFAULT_DNS_SERVERS, DEFAULT_ENS_REGISTRY, DEFAULT_ETH_RPC, DEFAULT_LOOKUP_TIMEOUT, nameServerProblem } from '../names/index.js'
import { PROVIDER_RECORD_VALIDITY } from '../routing/index.js'
import { MAX_TIMER_MS } from '../utils/strict-parse.js'
import { parseByteSize } from './byte-size.js'

const Multiaddr = z.string().refine(value => {
  try {
    multiaddr(value)
    return true
  } catch {
    return false
  }
}, { message: 'not a multiaddr' })

const TcpMultiaddr = Multiaddr.refine(value => /^\/(ip4|ip6)\/[^/]+\/tcp\/\d+$/.test(value), {
  message: 'expected /ip4/<address>/tcp/<port> or /ip6/<address>/tcp/<port>'
})

const PeerMultiaddr = Multiaddr.refine(value => /\/p2p\/[^/]+$/.test(value), {
  message: 'expected a multiaddr ending in /p2p/<peer id>'
})

const NameServer = z.string().superRefine((value, context) => {
  const problem = nameServerProblem(value)

  if (problem != null) {
    context.addIssue({ code: 'custom', message: problem })
  }
})

const ByteSize = z.union([z.string(), z.number().int().nonnegative()]).refine(value => parseByteSize(value) != null, {
  message: 'expected a size such as "10GB", "512MiB" or a number of bytes'
})

/** The largest chunk add makes: bitswap's block size limit is 2 MiB, and 1 MiB is the unixfs-v1-2025 chunk */
export const MAX_CHUNK_SIZE = 1024 * 1024

/** The bytes of a `size-<bytes>` chunker, or undefined when it is not one add can use */
export function chunkSize (chunker: string): number | undefined {
  const size = Number(/^size-(\d{1,8})$/.exec(chunker)?.[1] ?? NaN)
  return Number.isSafeInteger(size) && size >= 1 && size <= MAX_CHUNK_SIZE ? size : undefined
}

// a timer given more than 2³¹ − 1 ms fires at once: a longer value would be a busy loop
/** A span of time that is never a timer's delay, in ms */
const Span = z.number().int().nonnegative()

const Milliseconds = z.number().int().nonnegative().max(MAX_TIMER_MS, { message: `at most ${MAX_TIMER_MS} ms (about 24 days)` })

/** An amount of the payment asset, as Stellar writes it: at most 7 decimals */
const Amount = z.string().regex(/^\d{1,12}(\.\d{1,7})?$/, { message: 'expected an amount such as "0.001" (at most 7 decimal places)' })

export const ConfigSchema = z.strictObject({
  Identity: z.strictObject({
    PeerID: z.string().describe('The node\'s peer id; the private key is in keystore/, never in this file')
  }),
  Addresses: z.strictObject({
    Swarm: z.array(Multiaddr).default([])
      .describe('Addresses libp2p listens on: the node\'s /onion3 address, or loopback TCP in development mode; init fills it'),
    API: TcpMultiaddr.default('/ip4/127.0.0.1/tcp/5101')
      .describe('Where the RPC API (/api/v0) and metrics listen'),
    Gateway: TcpMultiaddr.default('/ip4/127.0.0.1/tcp/8180')
      .describe('Where the trustless gateway (/ipfs/<cid>) listens'),
    PaymentGateway: TcpMultiaddr.default('/ip4/127.0.0.1/tcp/5102')
      .describe('Where the payment gateway API (/api/v1) listens: balance, payment history, settlements'),
    Proxy: TcpMultiaddr.nullable().default('/ip4/127.0.0.1/tcp/5103')
      .describe('Where the proxy a browser points at listens (HTTP CONNECT, HTTP and SOCKS5 on one port): TorPlus names go to their sites over libp2p; null runs no proxy'),
    AllowNonLoopback: z.boolean().default(false)
      .describe('Allow API and Gateway on a non-loopback address; off, such an address is refused')
  }).prefault({}),
  Datastore: z.strictObject({
    StorageMax: ByteSize.default('10GB')
      .describe('Most bytes of blocks the repo may hold; an add past it fails'),
    BloomFilterSize: z.number().int().nonnegative().default(0)
      .describe('Kept for Kubo compatibility; unused')
  }).prefault({}),
  Import: z.strictObject({
    CidVersion: z.union([z.literal(0), z.literal(1)]).default(1)
      .describe('CID version of what add imports when the request names none: 1 follows the unixfs-v1-2025 profile (1 MiB chunks), 0 the unixfs-v0-2015 one that Kubo uses by default (256 KiB chunks)'),
    UnixFSRawLeaves: z.boolean().nullable().default(null)
      .describe('Leaves as raw blocks; null follows the CID version (raw with 1, dag-pb with 0, as Kubo)'),
    UnixFSChunker: z.string().refine(value => chunkSize(value) != null, { message: `expected size-<bytes>, from 1 to ${MAX_CHUNK_SIZE}` }).nullable().default(null)
      .describe('How add splits files, size-<bytes> (Kubo: size-262144); null follows the CID version\'s profile')
  }).prefault({}),
  Swarm: z.strictObject({
    OnionOnly: z.boolean().default(true)
      .describe('Reach peers and be reached only through tor, as an onion service; false is the loopback TCP development mode'),
    ConnMgr: z.strictObject({
      LowWater: z.number().int().nonnegative().default(32)
        .describe('Connections kept when trimming'),
      HighWater: z.number().int().positive().default(96)
        .describe('Connections above which the oldest idle ones are closed'),
      InboundRate: z.number().int().positive().default(5)
        .describe('Inbound connections one IP address may open per second; more are refused (libp2p: 5). Onion connections all come from tor, so this counts in the loopback development mode only')
    }).prefault({}),
    DialTimeout: Milliseconds.default(60_000)
      .describe('Milliseconds a dial to a peer may take (an onion circuit takes seconds on the public network)'),
    PingTimeout: Milliseconds.default(60_000)
      .describe('Least milliseconds a connection\'s liveness ping may take before the connection is dropped; the ping waits behind every byte queued on a busy circuit (libp2p: 5000). A ping is sent only after the last one ended, every PingTimeout + 5 s')
  }).prefault({}),
  Tor: z.strictObject({
    Mode: z.enum(['managed', 'external']).default('managed')
      .describe('"managed": the node runs its own tor, with its data in the repo; "external": attach to a running tor'),
    Path: z.string().default('tor')
      .describe('The tor binary (managed mode)'),
    ExtraConfig: z.array(z.string()).default([])
      .describe('torrc lines added to the managed tor\'s torrc, e.g. to join a private test network'),
    BootstrapTimeout: Milliseconds.default(120_000)
      .describe('Milliseconds to wait for tor to bootstrap'),
    ControlAddress: TcpMultiaddr.nullable().default(null)
      .describe('The control port of an external tor'),
    SocksAddress: TcpMultiaddr.nullable().default(null)
      .describe('The SocksPort of an external tor'),
    ControlPassword: z.string().nullable().default(null)
      .describe('Password for an external tor\'s control port (HashedControlPassword)'),
    CookieAuthFile: z.string().nullable().default(null)
      .describe('Cookie file of an external tor, when it is not where tor says')
  }).prefault({}),
  Routing: z.strictObject({
    Type: z.enum(['dhtserver', 'dhtclient', 'none']).default('dhtserver')
      .describe('"dhtserver": find content through the DHT and answer other peers\' DHT queries; "dhtclient": query only; "none": no DHT, only peers connected by hand'),
    Bootstrap: z.array(PeerMultiaddr).default([])
      .describe('Peers dialled at start to join the DHT: /onion3/<address>:<port>/p2p/<peer id> (loopback /ip4 in development mode)'),
    QueryTimeout: Milliseconds.min(1_000).default(120_000)
      .describe('Milliseconds one DHT query (findprovs, findpeer, provide) may take; each hop is a new onion circuit of a few seconds'),
    MessageTimeout: Milliseconds.min(1_000).default(30_000)
      .describe('Milliseconds to answer, or to wait for the answer to, one DHT message (kad-dht: 10000, too short for a busy circuit)'),
    ProviderSearchDelay: Milliseconds.default(3_000)
      .describe('Milliseconds a fetch waits for connected peers to send a block before it searches the DHT for providers (Kubo: 1000); a DHT search per block in flight would cost circuits for nothing')
  }).prefault({}),
  Reprovider: z.strictObject({
    Interval: Milliseconds.min(1_000).max(PROVIDER_RECORD_VALIDITY - 1_000).default(22 * 3_600_000)
      .describe(`Milliseconds between announcements of what this node provides (added and pinned content); provider records expire after ${PROVIDER_RECORD_VALIDITY / 3_600_000} h`)
  }).prefault({}),
  Payments: z.strictObject({
    Network: z.enum(['devnet', 'testnet', 'public']).default('devnet')
      .describe('The Stellar network: "devnet" is the local ledger `torplus devnet up` runs; "testnet" and "public" are Stellar\'s own'),
    Horizon: z.url().nullable().default(null)
      .describe('The Horizon server; null is the network\'s own for testnet and public (devnet: `devnet up` sets it)'),
    Asset: z.strictObject({
      Code: z.string().regex(/^[A-Za-z0-9]{1,12}$/, { message: 'expected 1 to 12 letters and digits' }).default('TPL')
        .describe('Code of the asset payments are made in'),
      Issuer: z.string().regex(/^G[A-Z2-7]{55}$/, { message: 'expected a Stellar account address (G…)' }).nullable().default(null)
        .describe('The account that issues the asset (`devnet up` sets it)')
    }).prefault({}),
    PricePerMiB: Amount.default('0.0001')
      .describe('What we charge peers per MiB served, in the asset'),
    MaxPricePerMiB: Amount.default('0.001')
      .describe('The most we pay per MiB received; a dearer request is rejected'),
    ByteTolerance: ByteSize.default('4MiB')
      .describe('How far a payment request\'s byte range may run past our own count of bytes received from that peer (bytes still in flight)'),
    PayAhead: ByteSize.default('16MiB')
      .describe('Bytes beyond ByteTolerance a payee may bill before they arrive: paying ahead keeps a fast transfer clear of the payee\'s credit limit while its next bill is out; at most this × MaxPricePerMiB is paid for data that may never come'),
    Budget: z.strictObject({
      PerPeer: Amount.default('100')
        .describe('The most we pay one peer per budget period'),
      Total: Amount.default('1000')
        .describe('The most we pay all peers together per budget period'),
      Period: Milliseconds.min(1000).default(86_400_000)
        .describe('Milliseconds of a budget period')
    }).prefault({}),
    AttentionPricePerMinute: Amount.default('0')
      .describe('What we pay the owner of a TorPlus site per minute spent on it, as the browser extension reports it (paid every 10 minutes once a site is owed at least 0.001, within Budget); "0" pays nothing'),
    RequestExpiry: Milliseconds.min(1000).max(600_000).default(60_000)
      .describe('Milliseconds our payment requests stay valid'),
    RequestTimeout: Milliseconds.min(100).default(30_000)
      .describe('Milliseconds to wait for a peer\'s answer to a payment request or a payment'),
    SettleAmount: Amount.default('10')
      .describe('Settle a tab on the ledger once it holds this much'),
    SettleInterval: Milliseconds.min(1000).default(900_000)
      .describe('Settle a tab on the ledger once it is this many milliseconds old'),
    Channels: z.number().int().min(1).max(1000).default(8)
      .describe('Most channel accounts to open: one per payer with an unsettled tab'),
    HistoryRetention: Span.min(3_600_000).default(90 * 86_400_000)
      .describe('Milliseconds the payment history (the payment gateway\'s /history) and settled or failed tabs are kept'),
    Relay: z.strictObject({
      Enabled: z.boolean().default(false)
        .describe('Relay others\' routed payments for a fee: announce it in the DHT and serve our terms on /torplus/relay/1.0.0'),
      FeeBase: Amount.default('0.00001')
        .describe('What we take from each payment we relay'),
      FeePPM: z.number().int().min(0).max(1_000_000).default(1000)
        .describe('Millionths of each payment we relay taken on top of FeeBase'),
      ExpiryDelta: Milliseconds.min(5_000).max(600_000).default(40_000)
        .describe('Milliseconds taken off the expiry of each payment we relay: our time to claim the incoming lock on the ledger once the outgoing one is claimed'),
      MaxPending: Amount.default('1')
        .describe('The most we hold pending on all our outgoing legs at once: with SettleAmount per upstream peer, what a relay can lose to legs that never settle')
    }).prefault({}),
    Routes: z.strictObject({
      Hops: z.number().int().min(0).max(4).default(3)
        .describe('Relays each payment goes through, so that the payee never learns our Stellar account; 0 pays directly'),
      Relays: z.array(PeerMultiaddr).default([])
        .describe('Relays to route through besides those announced in the DHT (multiaddrs ending in /p2p/<peer id>)'),
      MaxFee: z.strictObject({
        Base: Amount.default('0.00003')
          .describe('Fees one routed payment may come to, before FeePPM'),
        PPM: z.number().int().min(0).max(1_000_000).default(20_000)
          .describe('Millionths of the payment the fees may come to on top of Base')
      }).prefault({}),
      Fallback: z.enum(['direct', 'refuse']).default('direct')
        .describe('With no route to a payee that takes routed payments: "direct" pays it directly (it learns our account), "refuse" does not pay'),
      Accept: z.boolean().default(true)
        .describe('Take payment through routes from the peers we bill'),
      FinalDelta: Milliseconds.min(5_000).max(600_000).default(20_000)
        .describe('Milliseconds a routed payment\'s lock must have left when it reaches us as the payee'),
      ClaimMargin: Milliseconds.min(1_000).max(600_000).default(15_000)
        .describe('Milliseconds before a lock expires that we claim it on the ledger, when we hold its preimage and were not paid for it unconditionally'),
      MessageTimeout: Milliseconds.min(100).default(10_000)
        .describe('Milliseconds one exchange on /torplus/route/1.0.0 or /torplus/relay/1.0.0 may take')
    }).prefault({})
  }).prefault({}),
  Publish: z.strictObject({
    PlainOnion: z.enum(['free', 'off']).default('free')
      .describe('What visitors of the node\'s onion over plain HTTP (port 80, a stock Tor Browser: they cannot pay) get of its first published site: "free" serves them all together one free allowance (PlainAllowance, refilling at PlainRefillRate), "off" serves no HTTP on the onion'),
    PlainAllowance: ByteSize.default('16MiB')
      .describe('Bytes all plain onion visitors together are served at full speed, before PlainRefillRate applies'),
    PlainRefillRate: ByteSize.default('16KiB')
      .describe('Bytes per second the plain onion visitors\' allowance refills')
  }).prefault({}),
  Proxy: z.strictObject({
    Mode: z.enum(['tor', 'refuse']).default('tor')
      .describe('What the proxy does with hosts that are not TorPlus names (.onion and the rest): "tor" sends them through tor\'s SocksPort (onion mode only), "refuse" refuses them')
  }).prefault({}),
  Names: z.strictObject({
    Dns: z.array(NameServer).max(8).default([...DEFAULT_DNS_SERVERS])
      .describe('Servers asked for the TXT records of torplus.<domain> names, in order: https://…/dns-query (DNS over HTTPS, through tor in onion mode), or dns://<address>:<port> and http://… on loopback only'),
    EthRpc: z.string().url().nullable().default(DEFAULT_ETH_RPC)
      .describe('The Ethereum JSON-RPC endpoint ENS names (<name>.eth, sites.torplus.com/#<keyword>) are read through, through tor in onion mode unless on loopback; null resolves no ENS name'),
    EnsRegistry: z.string().regex(/^0x[0-9a-fA-F]{40}$/, { message: 'expected a contract address, 0x and 40 hex digits' }).default(DEFAULT_ENS_REGISTRY)
      .describe('The ENS registry\'s address on the chain of Names.EthRpc'),
    Timeout: Milliseconds.min(100).default(DEFAULT_LOOKUP_TIMEOUT)
      .describe('Milliseconds one name lookup may take, all servers together')
  }).prefault({}),
  Gateway: z.strictObject({
    RetrievalTimeout: Milliseconds.default(30_000)
      .describe('Milliseconds the gateway waits for content it must fetch before answering 504')
  }).prefault({}),
  Frequency: z.strictObject({
    Enabled: z.boolean().default(true)
      .describe('Count what peers ask for (bitswap wants, DHT provider lookups) and what the gateway and RPC API are asked for, in a sketch kept in the repo (frequency/snapshot.bin, about 20 MiB)'),
    TopK: z.number().int().min(10).max(1_000_000).default(50_000)
      .describe('Items with exact counts'),
    SketchWidth: z.number().int().min(1024).max(2 ** 26).refine(value => Number.isInteger(Math.log2(value)), { message: 'expected a power of two' }).default(2 ** 21)
      .describe('Counters per sketch row, a power of two: memory is 2 × depth × width bytes for the sketch and 8 × width for the per-epoch pair filter'),
    SketchDepth: z.number().int().min(1).max(6).default(4)
      .describe('Counters per item in the sketch'),
    HalfLife: Milliseconds.min(60_000).default(86_400_000)
      .describe('Milliseconds after which every count is halved'),
    Epoch: Milliseconds.min(1_000).default(3_600_000)
      .describe('Milliseconds in which a peer counts once per item'),
    PerPeerCap: z.number().int().min(1).default(1024)
      .describe('New items one peer may count for per epoch'),
    Publish: z.boolean().default(true)
      .describe('Answer /torplus/popular/1.0.0 with the most requested items; false opts out (local demand is never published)'),
    MinRequesters: z.number().int().min(1).default(3)
      .describe('Distinct requesters an item needs before it is published'),
    PublishLimit: z.number().int().min(1).max(1000).default(1000)
      .describe('Most items in a published list'),
    SnapshotInterval: Milliseconds.min(1_000).default(600_000)
      .describe('Milliseconds between snapshots of the tracker (and one at stop)')
  }).prefault({}),
  Fill: z.strictObject({
    Share: z.number().min(0).max(0.95).default(0.2)
      .describe('Fraction of Datastore.StorageMax that fill may hold with popular content it buys'),
    Headroom: z.number().min(0).max(0.5).default(0.05)
      .describe('Fraction of Datastore.StorageMax fill always leaves free for the user\'s own adds'),
    Interval: Milliseconds.default(0)
      .describe('Milliseconds between fill rounds in the daemon; 0 runs fill only when asked (`torplus fill`)'),
    Peers: z.number().int().min(1).max(1000).default(32)
      .describe('Peers asked for their popular lists per round'),
    MaxDagSize: ByteSize.default('1GiB')
      .describe('Largest DAG fill buys'),
    MaxPricePerMiB: Amount.nullable().default(null)
      .describe('The most fill expects to pay per MiB when it values an item; null is Payments.PricePerMiB, our own sell price (bills are still checked against Payments.MaxPricePerMiB)'),
    MaxSpend: Amount.default('1')
      .describe('The most one fill round spends, in the asset'),
    MinSupport: z.number().int().min(1).max(10).default(2)
      .describe('Independent supporters an item needs: reporters we exchanged money with, and our own observation of demand'),
    Hysteresis: z.number().min(1).default(1.5)
      .describe('A candidate replaces a DAG fill holds only when this many times more valuable')
  }).prefault({}),
  Bitswap: z.strictObject({
    SendWantlistDebounce: Milliseconds.default(1)
      .describe('Milliseconds to batch our wants before sending them (Helia: 10)'),
    SendBlocksDebounce: Milliseconds.default(0)
      .describe('Milliseconds to batch blocks a peer wants before sending (Helia: 10)'),
    // @helia/bitswap splits messages forever when a block does not fit in one: a 1 MiB chunk needs room for its framing
    MaxOutgoingMessageSize: z.number().int().min(1024 * 1024 + 64 * 1024, { message: 'must exceed the largest block (1 MiB chunks) with room for framing: at least 1114112' }).default(2 * 1024 * 1024)
      .describe('Largest bitswap message we send, in bytes; must exceed the largest block'),
    MessageTimeout: Milliseconds.default(60_000)
      .describe('Milliseconds to send or receive one bitswap message'),
    BlocksInFlight: z.number().int().min(1).default(16)
      .describe('Blocks one read (cat, get) asks peers for at once (16 MiB at the default 1 MiB chunks); a provider answers the wants it holds in one message, which must arrive within MessageTimeout'),
    FreeAllowance: ByteSize.default('16MiB')
      .describe('Bytes a peer is served free before it is asked to pay; refills at AllowanceRefreshRate'),
    AllowanceRefreshRate: ByteSize.default('16KiB')
      .describe('Bytes per second a peer\'s free allowance refills, so a light user never pays'),
    PaymentThreshold: Amount.default('0.001')
      .describe('Amount a payment request is sent for, once a peer owes it beyond its allowance, BillAhead included'),
    BillAhead: Amount.default('0.0008')
      .describe('Amount a payment request asks for beyond what was served, from a peer that pays ahead (Payments.PayAhead), so its next bill is paid before it reaches CreditLimit; less than PaymentThreshold'),
    CreditLimit: Amount.default('0.004')
      .describe('Unpaid amount past which blocks to the peer are sent at ThrottleRate'),
    DisconnectLimit: Amount.default('0.008')
      .describe('Unpaid amount past which the peer\'s wants are held until it pays'),
    ThrottleRate: ByteSize.default('256KiB')
      .describe('Bytes per second a throttled peer is served'),
    ForgetIdle: Milliseconds.min(1000).default(3_600_000)
      .describe('Milliseconds after which a peer that exchanged no block is forgotten (its byte counts, allowance and billing state), unless it paid us, we paid it, or a tab with it is under way; so a new identity costs nothing for long')
  }).prefault({})
})

/**
 * Rules that span keys
 */
export const CheckedConfigSchema = ConfigSchema.superRefine((config, ctx) => {
  if (config.Swarm.OnionOnly) {
    const lists = { 'Addresses.Swarm': config.Addresses.Swarm, 'Routing.Bootstrap': config.Routing.Bootstrap }

    for (const [key, addresses] of Object.entries(lists)) {
      addresses.forEach((address, index) => {
        if (!address.startsWith('/onion3/')) {
          ctx.addIssue({ code: 'custom', path: [...key.split('.'), index], message: `${address} is not an /onion3 address, and Swarm.OnionOnly is on` })
        }
      })
    }
  }

  const { Bitswap } = config
  const [ahead, threshold, credit, disconnect] = [Bitswap.BillAhead, Bitswap.PaymentThreshold, Bitswap.CreditLimit, Bitswap.DisconnectLimit].map(amount => Number(amount))

  if (!(threshold < credit && credit < disconnect)) {
    ctx.addIssue({ code: 'custom', path: ['Bitswap', 'CreditLimit'], message: 'expected Bitswap.PaymentThreshold < Bitswap.CreditLimit < Bitswap.DisconnectLimit' })
  }

  // billed ahead by the threshold or more, a peer would be billed before it used up its allowance
  if (ahead >= threshold) {
    ctx.addIssue({ code: 'custom', path: ['Bitswap', 'BillAhead'], message: 'expected Bitswap.BillAhead < Bitswap.PaymentThreshold' })
  }

  // a throttled message must still arrive within the receiver's message timeout
  if (Number(parseByteSize(Bitswap.ThrottleRate) ?? 0n) * Bitswap.MessageTimeout / 1000 < Bitswap.MaxOutgoingMessageSize) {
    ctx.addIssue({ code: 'custom', path: ['Bitswap', 'ThrottleRate'], message: 'too slow: ThrottleRate × MessageTimeout must exceed MaxOutgoingMessageSize, or throttled messages time out' })
  }

  if (config.Tor.Mode === 'external' && (config.Tor.ControlAddress == null || config.Tor.SocksAddress == null)) {
    ctx.addIssue({ code: 'custom', path: ['Tor', config.Tor.ControlAddress == null ? 'ControlAddress' : 'SocksAddress'], message: 'required when Tor.Mode is "external"' })
  }
})

export type Config = z.infer<typeof ConfigSchema>
export type ConfigInput = z.input<typeof ConfigSchema>
