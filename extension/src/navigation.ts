/**
 * The service worker's part in navigations: Chrome's proxy and the request
 * rules as the options say, every navigation to a TorPlus name that waits
 * sent through the resolving page, the pass it gets once resolved, and
 * failures turned into the error page. Its state lives in session storage:
 * the worker is stopped and started again between events.
 */
import { aliasRule, BLOCK_RULE, dynamicRules, RESOLVED_RULE } from './blocking.js'
import { proxyValue } from './proxy-config.js'
import { afterCommit, afterResolving, EMPTY_STATE, isSitesHost, waitsFor } from './resolution.js'
import { loadSettings } from './storage.js'
import type { NavigationState } from './resolution.js'
import type { Settings } from './settings.js'

/** The proxy's header naming why it could not reach a host (publish/constants.ts ERROR_HEADER) */
const ERROR_HEADER = 'x-torplus-error'

/** Chrome's errors for a navigation that was replaced, or blocked while the tab goes through the resolving page */
const NOT_FAILURES = new Set(['net::ERR_ABORTED', 'net::ERR_BLOCKED_BY_CLIENT'])

async function loadState (): Promise<NavigationState> {
  const stored = (await chrome.storage.session.get('navigation')).navigation as NavigationState | undefined
  return stored ?? EMPTY_STATE
}

let changes: Promise<unknown> = Promise.resolve()

/** One change of the state at a time: navigation events come in bursts; a state left as it was is not written */
async function changeState <T> (change: (state: NavigationState) => Promise<{ state: NavigationState, result: T }>): Promise<T> {
  const next = changes.then(async () => {
    const loaded = await loadState()
    const { state, result } = await change(loaded)

    if (state !== loaded) {
      await chrome.storage.session.set({ navigation: state })
    }

    return result
  })
  changes = next.catch(() => {})
  return next
}

/** Chrome's proxy and the rules that hold TorPlus names back, as `settings` say */
export async function applySettings (settings: Pick<Settings, 'mode' | 'proxy'>): Promise<void> {
  const value = proxyValue(settings)

  if (value == null) {
    await chrome.proxy.settings.clear({ scope: 'regular' })
  } else {
    await chrome.proxy.settings.set({ value, scope: 'regular' })
  }

  await applyRules(settings.mode !== 'off', await loadState())
}

async function applyRules (on: boolean, state: NavigationState): Promise<void> {
  await chrome.declarativeNetRequest.updateDynamicRules({ removeRuleIds: [BLOCK_RULE, RESOLVED_RULE], addRules: dynamicRules(on, state, Date.now()) as chrome.declarativeNetRequest.Rule[] })
}

function pageUrl (page: string, params: Record<string, string>): string {
  return `${chrome.runtime.getURL(page)}?${new URLSearchParams(params).toString()}`
}

/** A navigation that waits for the node goes to the resolving page */
export async function beforeNavigate (details: { tabId: number, frameId: number, url: string }): Promise<void> {
  // most navigations are to no TorPlus host: they cost no read of the storage
  if (details.frameId !== 0 || details.tabId < 0 || waitsFor(details.url, details.tabId, EMPTY_STATE, Date.now()) == null) {
    return
  }

  const settings = await loadSettings()
  const waits = settings.mode === 'off' ? undefined : waitsFor(details.url, details.tabId, await loadState(), Date.now())

  if (waits != null) {
    await chrome.tabs.update(details.tabId, { url: pageUrl('resolving.html', { to: details.url, name: waits.name ?? '', alias: String(waits.alias) }) })
  }
}

/** The resolving page had the node resolve what `url` waited for: let it through */
export async function resolvedFor (tabId: number, url: string, name: string | undefined): Promise<void> {
  const settings = await loadSettings()

  await changeState(async (state) => {
    const next = afterResolving(url, tabId, name, state, Date.now())

    if (isSitesHost(url)) {
      await chrome.declarativeNetRequest.updateSessionRules({ removeRuleIds: [tabId], addRules: [aliasRule(tabId) as chrome.declarativeNetRequest.Rule] })
    } else {
      await applyRules(settings.mode !== 'off', next)
    }

    return { state: next, result: undefined }
  })
}

/** A tab loaded a page, its navigation failed, or it closed: a pass it held is used up */
export async function passUsed (tabId: number, closed = false): Promise<void> {
  await changeState(async (state) => {
    if (!state.allowed.includes(tabId) && !(closed && String(tabId) in state.tabSites)) {
      return { state, result: undefined }
    }

    await chrome.declarativeNetRequest.updateSessionRules({ removeRuleIds: [tabId] })
    return { state: afterCommit(tabId, state, closed), result: undefined }
  })
}

export async function navigationFailed (details: { tabId: number, frameId: number, url: string, error: string }): Promise<void> {
  if (details.frameId !== 0 || details.tabId < 0 || NOT_FAILURES.has(details.error) || details.url.startsWith(chrome.runtime.getURL(''))) {
    return
  }

  await passUsed(details.tabId)
  const settings = await loadSettings()
  const torplus = waitsFor(details.url, -1, EMPTY_STATE, Date.now()) != null

  // in "TorPlus only" mode the rest of the web is Chrome's own business
  if (settings.mode === 'off' || (!torplus && settings.mode !== 'all')) {
    return
  }

  await chrome.tabs.update(details.tabId, { url: pageUrl('error.html', { url: details.url, error: details.error }) })
}

/** The proxy's own error answer to a page: the error page says what it means */
export function proxyError (details: chrome.webRequest.OnHeadersReceivedDetails): undefined {
  const code = details.responseHeaders?.find(header => header.name.toLowerCase() === ERROR_HEADER)?.value

  if (details.frameId === 0 && details.tabId >= 0 && code != null && details.statusCode >= 400) {
    chrome.tabs.update(details.tabId, { url: pageUrl('error.html', { url: details.url, error: code }) }).catch(() => {})
  }
}
