/**
 * The service worker's part in attention: what is in view (the active tab
 * of the focused window) is timed as it changes, and the seconds go to the
 * node in batches; its state lives in session storage
 */
import { AttentionTracker } from './attention.js'
import { NodeApi } from './node-api.js'
import { loadSettings } from './storage.js'
import type { AttentionState } from './attention.js'

/** What is in view now */
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

let queue: Promise<unknown> = Promise.resolve()

/** One change of the tracker at a time: events come in bursts */
async function serially <T> (task: () => Promise<T>): Promise<T> {
  const next = queue.then(task, task)
  queue = next.catch(() => {})
  return next
}

export async function viewChanged (): Promise<void> {
  await serially(async () => {
    const url = await inView()
    await withTracker(tracker => { tracker.view(url, Date.now()) })
  })
}

/** Send the node the seconds watched since the last report; what it does not take waits for the next. Resolves to the seconds it took */
export async function reportAttention (): Promise<number> {
  await viewChanged()

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
