/**
 * `torplus devnet`: a private tor network and daemons brought up, used and
 * stopped from the CLI, as a developer would
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { expect } from 'aegir/chai'
import pWaitFor from 'p-wait-for'
import { priceOf } from '../../src/payments/pricing.js'
import { isAlive } from '../../src/utils/processes.js'
import { torplus } from '../utils/cli.js'
import { tempDir } from '../utils/repo.js'

/** Processes whose command line mentions `text` (a path), from /proc */
async function processesMentioning (text: string): Promise<number[]> {
  const pids = (await fs.readdir('/proc')).filter(name => /^\d+$/.test(name)).map(Number)
  const mentions = await Promise.all(pids.map(async pid => (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes(text)))
  return pids.filter((_, i) => mentions[i])
}

/** GET `url` through an HTTP proxy, as curl --proxy does */
async function getThrough (proxy: string, url: string): Promise<{ status: number, body: string }> {
  const { hostname, port } = new URL(proxy)
  return new Promise((resolve, reject) => {
    http.get({ host: hostname, port: Number(port), path: url, signal: AbortSignal.timeout(120_000) }, response => {
      let body = ''
      response.on('data', (chunk: Buffer) => { body += chunk.toString() })
      response.on('end', () => { resolve({ status: response.statusCode ?? 0, body }) })
    }).once('error', reject)
  })
}

describe('devnet command', function () {
  this.timeout(400_000)
  let dir: string

  before(async () => {
    dir = path.join(await tempDir('torplus-devnet-cli-'), 'devnet')
  })

  after(async () => {
    // never leave processes behind, whatever failed
    await torplus(['devnet', 'down', '--dir', dir], { repo: dir })
  })

  it('brings up two nodes with sample content that the client fetches over onion', async () => {
    const up = await torplus(['devnet', 'up', '--nodes', '2', '--dir', dir, '--sample'], { repo: dir, timeout: 360_000 })
    expect(up.code, up.stdout + up.stderr).to.equal(0)
    expect(up.stdout).to.match(/^node1: \/onion3\/[a-z2-7]{56}:4101\/p2p\/12D3Koo/m)
    expect(up.stdout).to.match(/^node2: \/onion3\//m)
    expect(up.stdout).to.match(/RPC http:\/\/127\.0\.0\.1:\d+\/api\/v0 +gateway http:\/\/127\.0\.0\.1:\d+\/ipfs\/<cid>/)

    expect(up.stdout).to.match(/^Stellar ledger: http:\/\/127\.0\.0\.1:\d+ \(Horizon\), asset TPL issued by G[A-Z2-7]{55}; every node holds 1000 TPL$/m)

    const [, clientRepo, cid] = /TORPLUS_PATH=(\S+) npx torplus cat (\S+)/.exec(up.stdout) ?? []
    const fetched = await torplus(['cat', cid], { repo: clientRepo, timeout: 120_000 })
    expect(fetched.code, fetched.stderr).to.equal(0)
    expect(fetched.stdout).to.equal('Hello from node1, served over an onion service.\n')

    // the sample site, by its DNS name and its ENS name, through the client's proxy, as printed
    const sites = [...up.stdout.matchAll(/^ {2}curl --proxy (http:\/\/127\.0\.0\.1:\d+) (http:\/\/(\S+)\/)$/gm)]
    expect(sites.map(([, , , name]) => name)).to.deep.equal(['torplus.site.devnet.test', 'site.torplus.eth'])

    for (const [, proxy, url] of sites) {
      const page = await getThrough(proxy, url)
      expect(page.status, page.body).to.equal(200)
      expect(page.body).to.include('<h1>Hello from node1</h1>')
    }

    const published = await torplus(['publish', 'ls'], { repo: path.join(dir, 'node1') })
    expect(published.stdout).to.match(/^[0-9a-f]{8} torplus\.site\.devnet\.test \S+sample-site \(Tor Browser: http:\/\/[a-z2-7]{56}\.onion\/\)$/m)

    // every node's account is funded and holds the asset, on the local ledger
    const balance = await torplus(['wallet', 'balance'], { repo: clientRepo })
    expect(balance.stdout, balance.stderr).to.equal('XLM 9999.9999900\nTPL 1000.0000000\n')
  })

  it('node1 bills the client for what it served past its free allowance, over onion; the client pays; the settlement lands to the stroop', async () => {
    const providerRepo = path.join(dir, 'node1')
    const clientRepo = path.join(dir, 'node2')
    const client = JSON.parse((await torplus(['id'], { repo: clientRepo })).stdout).ID

    // 17 MiB: past the 16 MiB free allowance, short of an automatic bill (the payment threshold
    // is 10 MiB, 8 of them billed ahead: 2 MiB more)
    const file = path.join(dir, 'seventeen')
    await fs.writeFile(file, crypto.randomBytes(17 * 1024 * 1024))
    const added = await torplus(['add', '-Q', file], { repo: providerRepo, timeout: 60_000 })
    expect(added.code, added.stderr).to.equal(0)
    const fetched = await torplus(['cat', added.stdout.trim()], { repo: clientRepo, timeout: 120_000 })
    expect(fetched.code, fetched.stderr).to.equal(0)

    const bill = await torplus(['payments', 'bill', client, '--json'], { repo: providerRepo, timeout: 120_000 })
    expect(bill.code, bill.stderr).to.equal(0)
    const paid = JSON.parse(bill.stdout)
    expect(paid.Status).to.equal('paid')
    const ledger = JSON.parse((await torplus(['bitswap', 'ledger', client, '--json'], { repo: providerRepo })).stdout)
    // the default price, 0.0001 per MiB, for every byte past the free allowance (16 MiB, and what refilled meanwhile)
    const free = BigInt(ledger.FreeBytes)
    expect(Number(free)).to.be.within(16 * 1024 * 1024, 17 * 1024 * 1024)
    expect(BigInt(paid.Amount.replace('.', ''))).to.equal(priceOf(BigInt(ledger.Sent) - free, 1000n))
    expect(ledger).to.include({ Status: 'free', PaidToUs: paid.Amount, PaidThrough: ledger.Sent })
    // without a peer: every peer it exchanged blocks with, the client among them
    const ledgers = JSON.parse((await torplus(['bitswap', 'ledger', '--json'], { repo: providerRepo })).stdout)
    expect(ledgers.Peers.find((peer: { Peer: string }) => peer.Peer === client)).to.include({ Sent: ledger.Sent, PaidToUs: paid.Amount })

    const peers = JSON.parse((await torplus(['payments', 'peers', '--json'], { repo: clientRepo })).stdout)
    expect(peers.Peers[0].Fetched).to.include({ Paid: paid.Amount, PaidThrough: paid.PaidThrough })

    // a new payer's first tab is settled at once, to learn early whether its promises land
    const settled = async (): Promise<any> => JSON.parse((await torplus(['payments', 'tabs', '--state', 'settled', '--json'], { repo: providerRepo })).stdout).Tabs.find((tab: any) => tab.Peer === client)
    await pWaitFor(async () => await settled() != null, { timeout: 60_000, interval: 1000 })
    expect(await settled()).to.include({ Total: paid.Amount, State: 'settled' })
    expect((await settled()).Hash).to.match(/^[0-9a-f]{64}$/)

    const stroops = BigInt(paid.Amount.replace('.', ''))
    const asset = (balance: string): string => (/^TPL (\S+)$/m.exec(balance) ?? [])[1]
    const provider = await torplus(['wallet', 'balance'], { repo: providerRepo })
    const payer = await torplus(['wallet', 'balance'], { repo: clientRepo })
    expect(BigInt(asset(provider.stdout).replace('.', ''))).to.equal(1000_0000000n + stroops)
    expect(BigInt(asset(payer.stdout).replace('.', ''))).to.equal(1000_0000000n - stroops)
  })

  it('reports status and refuses a second devnet in the same folder', async () => {
    const status = await torplus(['devnet', 'status', '--dir', dir], { repo: dir })
    expect(status.stdout).to.match(/^node1 running pid \d+ \/onion3\//m)
    expect(status.stdout).to.match(/^node2 running/m)
    expect(status.stdout).to.match(/^ledger running pid \d+ http:\/\/127\.0\.0\.1:\d+$/m)
    expect(status.stdout).to.match(/^names running pid \d+ dns:\/\/127\.0\.0\.1:\d+ http:\/\/127\.0\.0\.1:\d+$/m)

    const again = await torplus(['devnet', 'up', '--dir', dir], { repo: dir })
    expect(again.code).to.equal(1)
    expect(again.stderr).to.match(/a devnet is already running in .*devnet: stop it with `torplus devnet down --dir/)
  })

  it('stops every process it started', async () => {
    const state = JSON.parse(await fs.readFile(path.join(dir, 'devnet.json'), 'utf8'))
    // the network's tors, the ledger, the name servers (dnsmasq among them) and the daemons
    expect(state.pids.length).to.be.at.least(11)
    // each daemon runs a tor of its own, which devnet.json does not list
    const nodeTors = async (): Promise<number[]> => (await processesMentioning(path.join(dir, 'node'))).filter(pid => !(state.pids as number[]).includes(pid))
    expect(await nodeTors()).to.have.lengthOf(2)

    const down = await torplus(['devnet', 'down', '--dir', dir], { repo: dir, timeout: 120_000 })
    expect(down.stdout).to.match(/^stopped \d+ processes/)

    for (const pid of state.pids) {
      expect(isAlive(pid), `pid ${pid}`).to.be.false()
    }

    // the daemons' own tors went with them
    await pWaitFor(async () => (await nodeTors()).length === 0, { timeout: 10_000 })
  })
})
