/**
 * The service worker: keeps Chrome's proxy as the options say, sends a
 * navigation to a TorPlus name through the resolving page when the node has
 * not resolved it lately, turns failures into the error page, and times
 * attention to TorPlus sites. Listeners are registered at once, as MV3 wants:
 * the worker is started again for each event after it was stopped, and its
 * state lives in session storage.
 */
import { AttentionTracker } from './attention.js'
import { NodeApi } from './node-api.js'
import { proxyValue } from './proxy-config.js'
import { resolved, toResolve } from './resolution.js'
import { loadSettings } from './storage.js'
import type { AttentionState } from './attention.js'
import type { Message } from './messages.js'
import type { ResolvedNames } from './resolution.js'
import type { Settings } from './settings.js'

/** Minutes between attention reports: the least chrome.alarms allows is half a minute */
const REPORT_PERIOD_MINUTES = 1

/** The proxy's header naming why it could not reach a host (publish/constants.ts ERROR_HEADER) */
const ERROR_HEADER = 'x-torplus-error'

/** Chrome's error for a navigation that was replaced: not a failure */
const ABORTED = 'net::ERR_ABORTED'

/** Make Chrome use the node as `settings` say */
async function applyProxy (settings: Pick<Settings, 'mode' | 'proxy'>): Promise<void> {
  const value = proxyValue(settings)

  if (value == null) {
    await chrome.proxy.settings.clear({ scope: 'regular' })
    return
  }

  await chrome.proxy.settings.set({ value, scope: 'regular' })
}

async function resolvedNames (): Promise<ResolvedNames> {
  const stored = (await chrome.storage.session.get('resolved')).resolved as ResolvedNames | undefined
  return stored ?? { names: {} }
}

/** A navigation that waits for the node: the resolving page resolves the name, then goes on */
async function beforeNavigate (details: { tabId: number, frameId: number, url: string }): Promise<void> {
  if (details.frameId !== 0 || details.tabId < 0) {
    return
  }

  const settings = await loadSettings()

  if (settings.mode === 'off' || toResolve(details.url, await resolvedNames(), Date.now()) == null) {
    return
  }

  await chrome.tabs.update(details.tabId, { url: pageUrl('resolving.html', { to: details.url }) })
}

async function navigationFailed (details: { tabId: number, frameId: number, url: string, error: string }): Promise<void> {
  if (details.frameId !== 0 || details.tabId < 0 || details.error === ABORTED || details.url.startsWith(chrome.runtime.getURL(''))) {
    return
  }

  const settings = await loadSettings()
  const torplus = toResolve(details.url, { names: {} }, Date.now()) != null

  // in "TorPlus only" mode the rest of the web is Chrome's own business
  if (settings.mode === 'off' || (!torplus && settings.mode !== 'all')) {
    return
  }

  await chrome.tabs.update(details.tabId, { url: pageUrl('error.html', { url: details.url, error: details.error }) })
}

/** The proxy's own error answer to a page: the error page says what it means */
function proxyError (details: chrome.webRequest.OnHeadersReceivedDetails): undefined {
  const code = details.responseHeaders?.find(header => header.name.toLowerCase() === ERROR_HEADER)?.value

  if (details.frameId === 0 && details.tabId >= 0 && code != null && details.statusCode >= 400) {
    chrome.tabs.update(details.tabId, { url: pageUrl('error.html', { url: details.url, error: code }) }).catch(() => {})
  }
}

function pageUrl (page: string, params: Record<string, string>): string {
  return `${chrome.runtime.getURL(page)}?${new URLSearchParams(params).toString()}`
}

/** Attention: what is in view now, as the tracker wants it */
async function inView (): Promise<string | undefined> {
  const window = await chrome.windows.getLastFocused({ populate: true }).catch(() => undefined)

  if (window?.focused !== true || window.state === 'minimized') {
    return undefined
  }

  return window.tabs?.find(tab => tab.active)?.url
}

async function withTracker <T> (use: (tracker: AttentionTracker) => Promise<T> | T): Promise<T> {
  const stored = (await chrome.storage.session.get('attention')).attention as AttentionState | undefined
  const tracker = new AttentionTracker(stored)
  const result = await use(tracker)
  await chrome.storage.session.set({ attention: tracker.snapshot() })
  return result
}

let attentionQueue: Promise<unknown> = Promise.resolve()

/** One change of the tracker at a time: events come in bursts */
async function serially <T> (task: () => Promise<T>): Promise<T> {
  const next = attentionQueue.then(task, task)
  attentionQueue = next.catch(() => {})
  return next
}

async function viewChanged (): Promise<void> {
  await serially(async () => {
    const url = await inView()
    await withTracker(tracker => { tracker.view(url, Date.now()) })
  })
}

/** Send the node the seconds watched since the last report; what it does not take waits for the next */
async function reportAttention (): Promise<number> {
  return serially(async () => {
    const api = new NodeApi(await loadSettings())
    return withTracker(async tracker => {
      let sent = 0

      for (const report of tracker.take(Date.now())) {
        try {
          await api.reportAttention(report.site, report.seconds)
          sent += report.seconds
        } catch (err: any) {
          // a node that is down gets it later; one that refuses it (a full day) never will
          if (err.name === 'NodeDownError') {
            tracker.putBack(report)
          }
        }
      }

      return sent
    })
  })
}

async function onMessage (message: Message): Promise<unknown> {
  switch (message.type) {
    case 'resolved':
      await chrome.storage.session.set({ resolved: resolved(message.url, await resolvedNames(), Date.now()) })
      return true
    case 'report-attention':
      await viewChanged()
      return reportAttention()
    case 'apply-settings':
      await applyProxy(await loadSettings())
      return true
    default:
      return undefined
  }
}

chrome.runtime.onInstalled.addListener(() => { loadSettings().then(applyProxy).catch(() => {}) })
chrome.runtime.onStartup.addListener(() => { loadSettings().then(applyProxy).catch(() => {}) })
chrome.webNavigation.onBeforeNavigate.addListener(details => { beforeNavigate(details).catch(() => {}) })
// sites.torplus.com/#video to #music is a new site, in the same document
chrome.webNavigation.onReferenceFragmentUpdated.addListener(details => { beforeNavigate(details).catch(() => {}) })
chrome.webNavigation.onErrorOccurred.addListener(details => { navigationFailed(details).catch(() => {}) })
chrome.webRequest.onHeadersReceived.addListener(proxyError, { urls: ['<all_urls>'], types: ['main_frame'] }, ['responseHeaders'])
chrome.tabs.onActivated.addListener(() => { viewChanged().catch(() => {}) })
chrome.tabs.onUpdated.addListener((_, change) => {
  if (change.url != null || change.status === 'complete') {
    viewChanged().catch(() => {})
  }
})
chrome.windows.onFocusChanged.addListener(() => { viewChanged().catch(() => {}) })
chrome.alarms.create('attention', { periodInMinutes: REPORT_PERIOD_MINUTES }).catch(() => {})
chrome.alarms.onAlarm.addListener(alarm => {
  if (alarm.name === 'attention') {
    viewChanged().then(reportAttention).catch(() => {})
  }
})
chrome.runtime.onMessage.addListener((message: Message, sender, respond) => {
  // only the extension's own pages
  if (sender.id !== chrome.runtime.id || sender.url?.startsWith(chrome.runtime.getURL('')) !== true) {
    return false
  }

  onMessage(message).then(respond, (err: Error) => { respond({ error: err.message }) })
  return true
})
