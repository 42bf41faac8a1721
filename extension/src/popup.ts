/**
 * The popup: whether the node answers, the account's state and balance, a
 * chart of payment requests against payments over the last hours, and the
 * current tab's TorPlus site: its name, onion and what it cost so far. What
 * fails says why, in the words of the error page.
 */
import { accountState, ACCOUNT_STATE_LABELS, requestsAgainstPayments } from './account.js'
import { siteOf } from './attention.js'
import { drawChart } from './chart.js'
import { element, show } from './dom.js'
import { NodeApi } from './node-api.js'
import { diagnose } from './problems.js'
import { loadSettings } from './storage.js'
import type { NodeStatus } from './node-api.js'
import type { ProxyMode } from './settings.js'

const MODE_LABELS: Record<ProxyMode, string> = {
  all: 'Everything through your node',
  torplus: 'TorPlus sites through your node',
  off: 'Off'
}

/** The chart's span and buckets */
const CHART_HOURS = 6
const CHART_BINS = 24

/**
 * The URL the user is on: the active tab's; when the popup is open in a tab
 * of its own, the web page used last
 */
async function browsedUrl (): Promise<string> {
  const tabs = await chrome.tabs.query({ lastFocusedWindow: true })
  const active = tabs.find(tab => tab.active)

  if (active?.url != null && !active.url.startsWith(chrome.runtime.getURL('popup.html'))) {
    return active.url
  }

  const pages = tabs.filter(tab => /^https?:/.test(tab.url ?? '')).sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0))
  return pages[0]?.url ?? ''
}

async function currentSite (api: NodeApi): Promise<void> {
  const own = await browsedUrl()
  const about = own.startsWith(chrome.runtime.getURL('')) ? new URL(own).searchParams.get('to') ?? new URL(own).searchParams.get('url') ?? '' : own
  const site = siteOf(about)
  const section = element('#site')
  section.hidden = site == null

  if (site == null) {
    return
  }

  show('#site-name', site)

  try {
    const cost = await api.siteCost(site)
    show('#site-onion', cost.Onion)
    show('#site-paid', cost.Peer == null ? 'nothing yet' : `${cost.Paid} (${cost.Attention} of it for attention), ${formatBytes(Number(cost.Bytes))} received`)
  } catch (err: any) {
    show('#site-onion', '')
    show('#site-paid', err.message)
  }
}

async function main (): Promise<void> {
  const settings = await loadSettings()
  const api = new NodeApi(settings)
  show('#mode', MODE_LABELS[settings.mode])
  let status: NodeStatus

  try {
    status = await api.status()
  } catch (err: any) {
    const problem = diagnose({ url: '', status: err.name === 'NodeDownError' ? 'down' : undefined, torplus: false })
    document.body.dataset.node = 'down'
    show('#node', problem.title)
    show('#problem', problem.detail)
    show('#command', problem.command ?? '')
    return
  }

  document.body.dataset.node = 'up'
  show('#node', status.Tor == null || status.Tor.Progress >= 100 ? `Node running (${status.Version})` : `Node starting: tor at ${status.Tor.Progress}%`)

  const balance = await api.balance().catch(() => undefined)
  // the book is kept in the asset the node is paid in
  const history = balance == null ? undefined : await api.history(balance.Asset.Code, CHART_HOURS, CHART_BINS).catch(() => undefined)

  const state = accountState(status, balance, history)
  document.body.dataset.account = state
  show('#account', ACCOUNT_STATE_LABELS[state])
  show('#balance', balance == null ? 'unknown' : `${balance.AssetBalance ?? '0'} ${balance.Asset.Code}`)

  if (history != null) {
    const points = requestsAgainstPayments(history, CHART_BINS)
    drawChart(element<HTMLCanvasElement>('#chart'), [
      { label: 'requests', color: '#c0392b', values: points.map(point => point.requests) },
      { label: 'payments', color: '#27ae60', values: points.map(point => point.payments) }
    ], `last ${CHART_HOURS} h`)
    document.body.dataset.chart = String(points.reduce((sum, point) => sum + point.requests + point.payments, 0))
  }

  await currentSite(api)
  document.body.dataset.ready = 'true'
}

function formatBytes (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let value = bytes
  let unit = 0

  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }

  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

document.querySelector('#options')?.addEventListener('click', () => { chrome.runtime.openOptionsPage().catch(() => {}) })
main().catch(err => { show('#problem', String(err.message)) })
