/**
 * The service worker: its listeners, registered at once as MV3 wants (the
 * worker is started again for each event after it was stopped). What they
 * do is in navigation.ts (the proxy, names resolved before their pages are
 * requested, the error page) and attention-reports.ts.
 */
import { reportAttention, viewChanged } from './attention-reports.js'
import { applySettings, beforeNavigate, navigationFailed, passUsed, proxyError, resolvedFor } from './navigation.js'
import { loadSettings } from './storage.js'
import type { Message } from './messages.js'

/** Minutes between attention reports: the least chrome.alarms allows is half a minute */
const REPORT_PERIOD_MINUTES = 1

async function onMessage (message: Message, tabId: number | undefined): Promise<unknown> {
  switch (message.type) {
    case 'resolved':
      if (tabId == null) {
        throw new Error('only a tab goes on to a resolved name')
      }

      await resolvedFor(tabId, message.url, message.name)
      return true
    case 'report-attention':
      return reportAttention()
    case 'apply-settings':
      await applySettings(await loadSettings())
      return true
    default:
      return undefined
  }
}

const ignore = (): void => {}

chrome.runtime.onInstalled.addListener(() => { loadSettings().then(applySettings).catch(ignore) })
chrome.runtime.onStartup.addListener(() => { loadSettings().then(applySettings).catch(ignore) })
chrome.webNavigation.onBeforeNavigate.addListener(details => { beforeNavigate(details).catch(ignore) })
// sites.torplus.com/#video to #music is a new site, in the same document
chrome.webNavigation.onReferenceFragmentUpdated.addListener(details => { beforeNavigate(details).catch(ignore) })
chrome.webNavigation.onCommitted.addListener(details => {
  if (details.frameId === 0 && /^https?:/.test(details.url)) {
    passUsed(details.tabId).catch(ignore)
  }
})
chrome.webNavigation.onErrorOccurred.addListener(details => { navigationFailed(details).catch(ignore) })
chrome.webRequest.onHeadersReceived.addListener(proxyError, { urls: ['<all_urls>'], types: ['main_frame'] }, ['responseHeaders'])
chrome.tabs.onRemoved.addListener(tabId => { passUsed(tabId, true).catch(ignore) })
chrome.tabs.onActivated.addListener(() => { viewChanged().catch(ignore) })
chrome.tabs.onUpdated.addListener((_, change) => {
  if (change.url != null || change.status === 'complete') {
    viewChanged().catch(ignore)
  }
})
chrome.windows.onFocusChanged.addListener(() => { viewChanged().catch(ignore) })
// created once: creating it again at every start of the worker would put it off each time
chrome.alarms.get('attention')
  .then(async alarm => { await (alarm == null ? chrome.alarms.create('attention', { periodInMinutes: REPORT_PERIOD_MINUTES }) : undefined) })
  .catch(ignore)
chrome.alarms.onAlarm.addListener(alarm => {
  if (alarm.name === 'attention') {
    reportAttention().catch(ignore)
  }
})
chrome.runtime.onMessage.addListener((message: Message, sender, respond) => {
  // only the extension's own pages
  if (sender.id !== chrome.runtime.id || sender.url?.startsWith(chrome.runtime.getURL('')) !== true) {
    return false
  }

  onMessage(message, sender.tab?.id).then(respond, (err: Error) => { respond({ error: err.message }) })
  return true
})
