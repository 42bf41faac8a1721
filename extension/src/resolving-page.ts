/**
 * The resolving page: a tab bound for a TorPlus name waits here while the
 * node resolves it (and, for sites.torplus.com/#<keyword>, makes the host
 * stand for that site), then goes on to it; a name that leads nowhere goes
 * to the error page instead
 */
import { show } from './dom.js'
import { send } from './messages.js'
import { NodeApi } from './node-api.js'
import { loadSettings } from './storage.js'

async function main (): Promise<void> {
  const to = new URLSearchParams(location.search).get('to') ?? ''
  let url: URL

  try {
    url = new URL(to)
  } catch {
    location.replace(errorPage(to, 'ERR_INVALID_URL'))
    return
  }

  // only web pages are gone on to
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    location.replace(errorPage(to, 'ERR_INVALID_URL'))
    return
  }

  show('#name', url.hash.length > 1 ? `${url.hostname}/${url.hash}` : url.hostname)
  const api = new NodeApi(await loadSettings())

  try {
    const answer = await api.setupResolving(url)

    if (!answer.resolved) {
      location.replace(errorPage(to, 'ERR_NAME_NOT_FOUND'))
      return
    }

    await send({ type: 'resolved', url: to })
    location.replace(to)
  } catch (err: any) {
    location.replace(errorPage(to, err.code ?? (err.name === 'NodeDownError' ? 'ERR_NODE_DOWN' : 'ERR_NAME_LOOKUP')))
  }
}

function errorPage (url: string, error: string): string {
  return `${chrome.runtime.getURL('error.html')}?${new URLSearchParams({ url, error }).toString()}`
}

main().catch(() => {})
