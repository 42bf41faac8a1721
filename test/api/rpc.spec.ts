/**
 * The RPC app against a stubbed node: what each route makes of the node's
 * services (present, absent, or refusing), with no network and no repo
 */
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import { createRpcApp } from '../../src/api/index.js'
import { PaymentsUnavailableError } from '../../src/payments/index.js'
import type { LedgersView, LedgerView, BitswapStatView, PeersView, BandwidthView } from '../../src/api/index.js'
import type { PeerCreditView, PeerTraffic } from '../../src/bitswap/index.js'
import type { TorPlusNode } from '../../src/node.js'
import type { PeerPayments } from '../../src/payments/index.js'

const ALICE = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
const BOB = '12D3KooWGRUxhXhCrSVeN7T4MwGoNkgBVRBYZ6QkeBAWzF6XfwjA'

interface StubInit {
  offline?: boolean
  traffic?: Record<string, PeerTraffic>
  credit?: Record<string, PeerCreditView>
  payments?: PeerPayments[]
  unconfigured?: Error
}

/** Just the parts of a node the routes under test read */
function stubNode (init: StubInit = {}): TorPlusNode {
  const traffic = init.traffic ?? {}
  const empty: PeerTraffic = { bytesSent: 0n, bytesReceived: 0n, bytesDelivered: 0n }

  return {
    offline: init.offline ?? false,
    wallet: { unconfigured: () => init.unconfigured },
    services: {
      bitswapTraffic: { stat: () => ({ bytesSent: 3000n, bytesReceived: 7000n }) },
      peerTraffic: {
        entries: () => Object.entries(traffic),
        get: (peer: string) => traffic[peer] ?? empty
      },
      creditGate: init.credit == null ? undefined : { view: (peer: string) => init.credit?.[peer] },
      payments: init.payments == null ? undefined : { peers: () => init.payments },
      bandwidth: { stat: () => ({ totalIn: 10n, totalOut: 20n, rateIn: 1.5, rateOut: 2.5 }) }
    }
  } as unknown as TorPlusNode
}

async function post <T> (node: TorPlusNode, path: string, init: RequestInit = {}): Promise<{ status: number, body: T }> {
  const app = createRpcApp({ node, log: defaultLogger().forComponent('test'), shutdown: () => {} })
  const response = await app.request(`http://127.0.0.1:5001/api/v0/${path}`, { method: 'POST', ...init })
  return { status: response.status, body: await response.json() }
}

function credit (status: PeerCreditView['status'], unpaid = 0n): PeerCreditView {
  return { status, unpaid, allowance: 0, freeBytes: 1024n }
}

describe('RPC app', () => {
  it('takes POST only, and no request from a page on another origin', async () => {
    const app = createRpcApp({ node: stubNode(), log: defaultLogger().forComponent('test'), shutdown: () => {} })
    const get = await app.request('http://127.0.0.1:5001/api/v0/bitswap/stat')
    expect(get.status).to.equal(405)
    expect(get.headers.get('Allow')).to.equal('OPTIONS, POST')

    const foreign = await post(stubNode(), 'bitswap/stat', { headers: { Origin: 'http://evil.example' } })
    expect(foreign.status).to.equal(403)
  })

  it('answers an unknown command with Kubo\'s error shape', async () => {
    const { status, body } = await post<{ Message: string, Type: string }>(stubNode(), 'no/such/command')
    expect(status).to.equal(404)
    expect(body).to.include({ Type: 'error' })
    expect(body.Message).to.include('unknown command')
  })

  it('bitswap/stat counts throttled and refused peers and sums what was paid each way', async () => {
    const node = stubNode({
      traffic: { [ALICE]: { bytesSent: 100n, bytesReceived: 0n, bytesDelivered: 0n }, [BOB]: { bytesSent: 5n, bytesReceived: 9n, bytesDelivered: 9n } },
      credit: { [ALICE]: credit('refused', 20n), [BOB]: credit('throttled') },
      payments: [
        { peer: ALICE, fromPeer: { received: 12_000_000n } as any },
        { peer: BOB, fromPeer: { received: 3n } as any, toPeer: { paid: 5_0000000n } as any }
      ]
    })
    const { status, body } = await post<BitswapStatView>(node, 'bitswap/stat')

    expect(status).to.equal(200)
    expect(body).to.deep.equal({
      DataSent: '3000',
      DataReceived: '7000',
      Peers: [ALICE, BOB],
      Throttled: 1,
      Refused: 1,
      PaymentsReceived: '1.2000003',
      PaymentsMade: '5.0000000'
    })
  })

  it('bitswap/stat and bitswap/ledger show every peer free when nothing is charged and no payments run', async () => {
    const node = stubNode({ traffic: { [ALICE]: { bytesSent: 10n, bytesReceived: 4n, bytesDelivered: 4n } } })

    expect((await post<BitswapStatView>(node, 'bitswap/stat')).body).to.include({ Throttled: 0, Refused: 0, PaymentsReceived: '0.0000000' })
    const { body } = await post<LedgerView>(node, `bitswap/ledger?arg=${ALICE}`)
    expect(body).to.include({ Peer: ALICE, Status: 'free', Sent: '10', Recv: '4', Delivered: '4', Unpaid: '0.0000000', Allowance: null, PaidToUs: '0.0000000' })
    expect(body.Value).to.equal(2)
  })

  it('bitswap/ledger lists every peer without an argument, and refuses what is not a peer id', async () => {
    const node = stubNode({ traffic: { [ALICE]: { bytesSent: 1n, bytesReceived: 0n, bytesDelivered: 0n }, [BOB]: { bytesSent: 2n, bytesReceived: 0n, bytesDelivered: 0n } } })
    const all = await post<LedgersView>(node, 'bitswap/ledger')
    expect(all.body.Peers.map(peer => peer.Peer)).to.deep.equal([ALICE, BOB])

    const bad = await post<{ Message: string }>(node, 'bitswap/ledger?arg=not-a-peer')
    expect(bad.status).to.equal(400)
    expect(bad.body.Message).to.include('"not-a-peer" is not a peer id')
  })

  it('payments/* say why payments do not run and what to do, as a server error, never a crash', async () => {
    const offline = await post<{ Message: string }>(stubNode({ offline: true }), 'payments/peers')
    expect(offline.status).to.equal(500)
    expect(offline.body.Message).to.equal(new PaymentsUnavailableError('the node is offline: start the daemon').message)

    const unconfigured = await post<{ Message: string }>(stubNode({ unconfigured: new Error('Payments.Horizon is not set: run `torplus config Payments.Horizon <url>`') }), 'payments/tabs')
    expect(unconfigured.body.Message).to.include('Payments.Horizon is not set')
  })

  it('payments/peers gives each peer both ways', async () => {
    const node = stubNode({
      payments: [{
        peer: ALICE,
        fromPeer: { bytesServed: 2048n, paidThrough: 1024n, received: 10n, attention: 4n } as any,
        toPeer: { bytesDelivered: 4096n, paidThrough: 4096n, paid: 20n, unsettled: [{ total: 7n }] } as any
      }]
    })
    const { body } = await post<PeersView>(node, 'payments/peers')

    expect(body.Peers).to.deep.equal([{
      Peer: ALICE,
      Served: { Bytes: '2048', PaidThrough: '1024', Received: '0.0000010', Attention: '0.0000004' },
      Fetched: { Bytes: '4096', PaidThrough: '4096', Paid: '0.0000020', Attention: '0.0000000', Unsettled: '0.0000007' }
    }])
  })

  it('payments/bill refuses a peer id it cannot parse before anything is billed', async () => {
    const { status, body } = await post<{ Message: string }>(stubNode({ payments: [] }), 'payments/bill?arg=QmNotAPeer')
    expect(status).to.equal(400)
    expect(body.Message).to.include('is not a peer id')
  })

  it('stats/bw gives the bandwidth counter\'s totals and rates', async () => {
    const app = createRpcApp({ node: stubNode(), log: defaultLogger().forComponent('test'), shutdown: () => {} })
    const response = await app.request('http://127.0.0.1:5001/api/v0/stats/bw', { method: 'POST' })
    const view: BandwidthView = JSON.parse((await response.text()).trim())
    expect(view).to.deep.equal({ TotalIn: 10, TotalOut: 20, RateIn: 1.5, RateOut: 2.5 })
  })
})
