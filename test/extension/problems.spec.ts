/**
 * What the extension tells a person when a page does not open, from what
 * Chrome said and what the node answers: each cause its own words, and
 * the command that fixes it when there is one
 */
import { expect } from 'aegir/chai'
import { accountState, requestsAgainstPayments } from '../../extension/src/account.js'
import { diagnose, START_NODE } from '../../extension/src/problems.js'
import type { Balance, History, NodeStatus } from '../../extension/src/node-api.js'

const READY: NodeStatus = { Version: '0.1.0', Tor: { Reachable: true, Progress: 100, Summary: 'Done' }, Payments: true, Proxy: '127.0.0.1:5103' }
const FUNDED: Balance = { Address: 'GABC', Funded: true, Native: '100.0000000', Asset: { Code: 'TPL', Issuer: 'GISSUER' }, AssetBalance: '12.5000000' }
const SITE = 'http://torplus.example.com/'

describe('extension problems', () => {
  it('says the node is not running, with the command that starts it', () => {
    expect(diagnose({ url: SITE, error: 'net::ERR_PROXY_CONNECTION_FAILED', torplus: true })).to.include({ kind: 'node-down', command: START_NODE })
    expect(diagnose({ url: SITE, status: 'down', torplus: true }).kind).to.equal('node-down')
  })

  it('says tor is still connecting, or that it does not answer', () => {
    expect(diagnose({ url: SITE, status: { ...READY, Tor: { Reachable: true, Progress: 45, Summary: 'Loading relay descriptors' } }, torplus: true }).detail).to.include('45%: Loading relay descriptors')
    expect(diagnose({ url: SITE, status: { ...READY, Tor: { Reachable: false, Progress: 0, Summary: 'control port closed' } }, torplus: true }).kind).to.equal('tor-starting')
  })

  it('says when a name leads nowhere, or could not be looked up', () => {
    expect(diagnose({ url: SITE, status: READY, resolved: { code: 'ERR_NAME_NOT_FOUND', message: 'no such name (NXDOMAIN)' }, torplus: true })).to.include({ kind: 'name-not-found' })
    expect(diagnose({ url: SITE, status: READY, resolved: { code: 'ERR_NAME_LOOKUP_TIMEOUT', message: 'timed out' }, torplus: true }).title).to.equal('The name could not be looked up')
  })

  it('says when the account cannot pay', () => {
    expect(diagnose({ url: SITE, status: READY, resolved: { onion: 'x.onion' }, balance: { ...FUNDED, AssetBalance: '0.0000000' }, torplus: true }).kind).to.equal('no-funds')
    expect(diagnose({ url: SITE, status: READY, resolved: { onion: 'x.onion' }, balance: { ...FUNDED, Funded: false }, torplus: true }).detail).to.include('not on the ledger')
  })

  it('says when the site does not answer, and names other failures plainly', () => {
    expect(diagnose({ url: SITE, status: READY, resolved: { onion: 'abc.onion' }, balance: FUNDED, error: 'ERR_SITE_UNREACHABLE', torplus: true })).to.include({ kind: 'site-unreachable' })
    expect(diagnose({ url: 'http://example.com/', status: READY, error: 'ERR_PROXY_REFUSED', torplus: false }).kind).to.equal('refused')
    expect(diagnose({ url: 'http://example.com/', status: READY, error: 'net::ERR_NAME_NOT_RESOLVED', torplus: false })).to.include({ kind: 'network' })
  })

  it('names the account\'s state: paying, trial, no funds, payments off', () => {
    const history = (paid: number): History => ({ Commodity: 'TPL', From: 0, Bucket: 1, Buckets: [{ Start: 0, RequestsSent: 0, Billed: '0', PaymentsReceived: 0, Received: '0', PaymentsSent: paid, Paid: '0', Rejected: 0 }] })
    expect(accountState(READY, FUNDED, history(2))).to.equal('paying')
    expect(accountState(READY, FUNDED, history(0))).to.equal('trial')
    expect(accountState(READY, { ...FUNDED, AssetBalance: null }, history(2))).to.equal('no-funds')
    expect(accountState({ ...READY, Payments: false }, FUNDED, history(2))).to.equal('payments-off')
  })

  it('charts every bucket, those the book left out as nothing', () => {
    const history: History = { Commodity: 'TPL', From: 1000, Bucket: 100, Buckets: [{ Start: 1200, RequestsSent: 0, Billed: '0', PaymentsReceived: 0, Received: '0', PaymentsSent: 3, Paid: '0.0001', Rejected: 1 }] }
    expect(requestsAgainstPayments(history, 4)).to.deep.equal([
      { start: 1000, requests: 0, payments: 0 },
      { start: 1100, requests: 0, payments: 0 },
      { start: 1200, requests: 4, payments: 3 },
      { start: 1300, requests: 0, payments: 0 }
    ])
  })
})
