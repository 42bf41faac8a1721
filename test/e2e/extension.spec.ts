/**
 * The browser extension in Debian's chromium (headless, driven by
 * playwright-core) against a devnet brought up by the CLI: set up through its
 * options page, it opens node1's sample site by name through node2 in each
 * proxy mode, node2 paying for what it fetched; other hosts go direct in
 * "TorPlus only" mode and through tor in "everything" mode; the popup shows
 * the balance and a chart that moved (its screenshot is kept in
 * test-artifacts/); attention reaches the node; and with node2 stopped the
 * error page says to start it. No request leaves loopback: Chrome's own name
 * lookups are mapped to nothing.
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'aegir/chai'
import pWaitFor from 'p-wait-for'
import { chromium } from 'playwright-core'
import { stopPid } from '../../src/utils/processes.js'
import { torplus } from '../utils/cli.js'
import { tempDir } from '../utils/repo.js'
import type { DevnetState } from '../../src/devnet/cluster.js'
import type { AddressInfo } from 'node:net'
import type { BrowserContext, Page, Worker } from 'playwright-core'

const EXTENSION = fileURLToPath(new URL('../../../extension/dist', import.meta.url))
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts', import.meta.url))
const CHROMIUM = '/usr/bin/chromium'
const SITE = 'http://torplus.site.devnet.test/'
const MiB = 1024 * 1024

/** The host a local server answers as, outside the TorPlus names: Chrome maps it to 127.0.0.1 */
const DIRECT_HOST = 'direct.example.test'

describe('browser extension', function () {
  this.timeout(600_000)
  let dir: string
  let state: DevnetState
  let context: BrowserContext
  let worker: Worker
  let extensionId: string
  let direct: http.Server
  let directPort: number
  const directRequests: string[] = []

  const node2 = (): DevnetState['nodes'][number] => state.nodes[1]
  const node2Json = async (args: string[]): Promise<any> => JSON.parse((await torplus([...args, '--json'], { repo: node2().repo })).stdout)
  const paidByNode2 = async (): Promise<bigint> => {
    const peers = await node2Json(['payments', 'peers'])
    return peers.Peers.reduce((sum: bigint, peer: any) => sum + BigInt(String(peer.Fetched?.Paid ?? '0').replace('.', '')), 0n)
  }

  before(async () => {
    await fs.access(CHROMIUM).catch(() => { throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`) })
    dir = path.join(await tempDir('torplus-extension-'), 'devnet')
    const up = await torplus(['devnet', 'up', '--nodes', '2', '--dir', dir, '--sample'], { repo: dir, timeout: 360_000 })
    expect(up.code, up.stdout + up.stderr).to.equal(0)
    state = JSON.parse(await fs.readFile(path.join(dir, 'devnet.json'), 'utf8'))

    direct = http.createServer((request, response) => {
      // what a page asks for, not its favicon
      if (request.url === '/') {
        directRequests.push(String(request.headers.host))
      }

      response.end('direct')
    })
    await new Promise<void>(resolve => direct.listen(0, '127.0.0.1', resolve))
    directPort = (direct.address() as AddressInfo).port

    context = await chromium.launchPersistentContext(await tempDir('torplus-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      ignoreDefaultArgs: ['--disable-extensions'],
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        `--load-extension=${EXTENSION}`, `--disable-extensions-except=${EXTENSION}`,
        // nothing is looked up for real: names go to the node's proxy unresolved
        `--host-resolver-rules=MAP ${DIRECT_HOST} 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`
      ]
    })
    worker = context.serviceWorkers().find(sw => sw.url().endsWith('/background.js')) ?? await context.waitForEvent('serviceworker', { timeout: 30_000 })
    extensionId = new URL(worker.url()).host
  })

  after(async () => {
    await context?.close()
    await new Promise(resolve => direct?.close(resolve))

    if (dir != null) {
      await torplus(['devnet', 'down', '--dir', dir], { repo: dir })
    }
  })

  async function setOptions (mode: string, proxy = node2().proxy): Promise<string> {
    const page = await context.newPage()

    try {
      await page.goto(`chrome-extension://${extensionId}/options.html`)
      await page.check(`input[name=mode][value=${mode}]`)
      await page.fill('#proxy', proxy)
      await page.fill('#api', node2().paymentGateway)
      await page.click('button[type=submit]')
      await page.waitForFunction(() => !['', 'Checking your node…'].includes(document.querySelector('#saved')?.textContent ?? ''), undefined, { timeout: 30_000 })
      return await page.textContent('#saved') ?? ''
    } finally {
      await page.close()
    }
  }

  /**
   * Open `url` in a new tab, as a click does, and wait for the page: through
   * the resolving page when the name was not resolved lately (the first
   * navigation is then blocked before it leaves, and replaced); and the time
   * from the click to its first byte
   */
  async function open (url: string, options: { resolving?: boolean } = {}): Promise<{ page: Page, firstByte: number }> {
    const page = await context.newPage()
    const visited: string[] = []
    page.on('framenavigated', frame => {
      if (frame === page.mainFrame()) {
        visited.push(frame.url())
      }
    })
    const started = Date.now()
    // a name that waits is blocked, and the tab sent through the resolving page
    await page.goto(url, { timeout: 120_000 }).catch((err: Error) => {
      if (!/ERR_ABORTED|ERR_BLOCKED_BY_CLIENT/.test(err.message)) {
        throw err
      }
    })
    const through = options.resolving === true ? (href: string) => href.includes('/resolving.html') : () => true
    await pWaitFor(() => visited.some(through) && visited.at(-1) === url, { timeout: 120_000, interval: 50 })
    await page.waitForLoadState('load')
    const responseAt = await page.evaluate(() => {
      const timing = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined
      return performance.timeOrigin + (timing?.responseStart ?? 0)
    })
    return { page, firstByte: responseAt - started }
  }

  it('keeps options only once they name a running node and its proxy', async () => {
    expect(await setOptions('torplus', '127.0.0.1:1')).to.match(/^Not saved: the node's proxy is at 127\.0\.0\.1:\d+, not 127\.0\.0\.1:1$/)
    expect(await setOptions('torplus')).to.equal('Saved')
  })

  it('opens the sample site by name in "TorPlus only" mode, by its DNS and its ENS name, node2 paying for what it fetched; other hosts go direct', async () => {
    const { page, firstByte } = await open(SITE, { resolving: true })
    expect(await page.textContent('h1')).to.equal('Hello from node1')
    console.info(`      a click on ${SITE} to its first byte: ${Math.round(firstByte)} ms (resolving included)`) // eslint-disable-line no-console
    const again = await open(SITE)
    console.info(`      again, the name resolved lately: ${Math.round(again.firstByte)} ms`) // eslint-disable-line no-console

    const ens = await open('http://sites.torplus.com/#site', { resolving: true })
    expect(await ens.page.textContent('h1')).to.equal('Hello from node1')
    expect(ens.page.url()).to.equal('http://sites.torplus.com/#site')

    // past node2's free allowance (16 MiB): billed and paid
    const published = await torplus(['publish', 'ls', '--json'], { repo: state.nodes[0].repo })
    const siteDir = JSON.parse(published.stdout).Sites[0].Dir
    await fs.writeFile(path.join(siteDir, 'big.bin'), crypto.randomBytes(20 * MiB))
    const fetched = await page.evaluate(async () => (await (await fetch('/big.bin', { cache: 'no-store' })).arrayBuffer()).byteLength)
    expect(fetched).to.equal(20 * MiB)
    await pWaitFor(async () => await paidByNode2() > 0n, { timeout: 120_000, interval: 1000 })

    // a name that leads nowhere: said so, before any request leaves
    const nowhere = await context.newPage()
    await nowhere.goto('http://torplus.nowhere.devnet.test/', { timeout: 60_000 }).catch(() => {})
    await pWaitFor(() => nowhere.url().includes('/error.html'), { timeout: 60_000, interval: 100 })
    await nowhere.waitForSelector('body[data-problem]', { timeout: 60_000 })
    expect(await nowhere.getAttribute('body', 'data-problem')).to.equal('name-not-found')
    expect(await nowhere.textContent('#title')).to.equal('No TorPlus site has this name')

    const other = await open(`http://${DIRECT_HOST}:${directPort}/`)
    expect(await other.page.textContent('body')).to.equal('direct')
    expect(directRequests).to.deep.equal([`${DIRECT_HOST}:${directPort}`])
    await Promise.all(context.pages().map(async tab => tab.close()))
  })

  it('opens the site by name in "everything" mode, and other hosts through tor: an onion, and no direct connection', async () => {
    expect(await setOptions('all')).to.equal('Saved')
    const paidBefore = await paidByNode2()

    const { page } = await open(SITE)
    expect(await page.textContent('h1')).to.equal('Hello from node1')
    await page.evaluate(async () => (await fetch('/big.bin', { cache: 'no-store' })).arrayBuffer())
    await pWaitFor(async () => await paidByNode2() > paidBefore, { timeout: 120_000, interval: 1000 })

    // node1's onion, port 80: through node2's proxy and tor
    const onion = /\/onion3\/([a-z2-7]{56}):/.exec(state.nodes[0].multiaddr)?.[1]
    const viaTor = await open(`http://${onion}.onion/`)
    expect(await viaTor.page.textContent('h1')).to.equal('Hello from node1')

    // not to the host itself: the node hands it to tor, which has no way out of the private network
    const other = await context.newPage()
    await other.goto(`http://${DIRECT_HOST}:${directPort}/`, { timeout: 120_000 }).catch(() => {})
    await pWaitFor(() => other.url().includes('/error.html'), { timeout: 120_000, interval: 100 })
    await other.waitForSelector('body[data-problem]', { timeout: 60_000 })
    expect(directRequests).to.have.lengthOf(1)
    await Promise.all(context.pages().map(async tab => tab.close()))
  })

  it('shows the balance and a chart that moved in the popup, and reports attention to the node', async () => {
    const site = await open(SITE)
    await site.page.bringToFront()
    await new Promise(resolve => setTimeout(resolve, 2_500))

    const popup = await context.newPage()
    await popup.setViewportSize({ width: 360, height: 520 })
    await popup.goto(`chrome-extension://${extensionId}/popup.html`)
    await popup.waitForSelector('body[data-ready=true]', { timeout: 60_000 })
    expect(await popup.textContent('#balance')).to.match(/^\d+\.\d{7} TPL$/)
    expect(await popup.getAttribute('body', 'data-account')).to.equal('paying')
    expect(Number(await popup.getAttribute('body', 'data-chart'))).to.be.greaterThan(0)
    // the site browsed last, what it cost so far
    expect(await popup.textContent('#site-name')).to.equal('torplus.site.devnet.test')
    expect(await popup.textContent('#site-onion')).to.equal(`${/\/onion3\/([a-z2-7]{56}):/.exec(state.nodes[0].multiaddr)?.[1]}.onion`)
    expect(await popup.textContent('#site-paid')).to.match(/^0\.\d{7} \(0\.0000000 of it for attention\), \d+\.\d MiB received$/)
    await fs.mkdir(ARTIFACTS, { recursive: true })
    await popup.screenshot({ path: path.join(ARTIFACTS, 'extension-popup.png') })

    // the site tab was in view: its seconds go to the node
    await site.page.bringToFront()
    await new Promise(resolve => setTimeout(resolve, 1_500))
    const sent = await popup.evaluate(async () => (globalThis as any).chrome.runtime.sendMessage({ type: 'report-attention' }))
    expect(sent).to.be.greaterThan(0)
    const attention = await node2Json(['attention'])
    expect(attention.Sites.find((entry: any) => entry.Site === 'torplus.site.devnet.test')?.Seconds).to.be.greaterThan(0)
    await Promise.all(context.pages().map(async tab => tab.close()))
  })

  it('says the node is not running, with the command that starts it, once node2 stops', async () => {
    await stopPid(node2().pid, 30_000)
    const page = await context.newPage()
    await page.goto(SITE, { timeout: 60_000 }).catch(() => {})
    await page.waitForSelector('body[data-problem]', { timeout: 60_000 })
    expect(await page.getAttribute('body', 'data-problem')).to.equal('node-down')
    expect(await page.textContent('#command code')).to.equal('npx torplus daemon')
  })
})
