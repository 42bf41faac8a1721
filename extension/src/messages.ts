/** What the extension's pages ask its service worker */
export type Message =
  /** The resolving page had the node resolve `name` (none: a sites.torplus.com page with no site) for `url`: let the tab through */
  | { type: 'resolved', url: string, name?: string }
  /** Report the attention timed so far now; answers the seconds the node took */
  | { type: 'report-attention' }
  /** The options changed: set Chrome's proxy as they say */
  | { type: 'apply-settings' }

export async function send <T> (message: Message): Promise<T> {
  return chrome.runtime.sendMessage(message)
}
