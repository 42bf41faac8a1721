/**
 * The resolving page: a tab bound for a TorPlus name waits here while the
 * node resolves it (for sites.torplus.com, makes the host stand for the
 * tab's site), then goes on with a pass through the request rules; a name
 * that leads nowhere goes to the error page instead. Only the service
 * worker sends a tab here: it is no page a web site can open.
 */
import { SITES_HOST } from '../../src/names/route.js'
import { show } from './dom.js'
import { send } from './messages.js'
import { NodeApi } from './node-api.js'
import { loadSettings } from './storage.js'

function errorPage (url: string, error: string): string {
  return `${chrome.runtime.getURL('error.html')}?${new URLSearchParams({ url, error }).toString()}`
}

async function main (): Promise<void> {
  const params = new URLSearchParams(location.search)
  const to = params.get('to') ?? ''
  const name = params.get('name') ?? ''
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

  show('#name', name === '' ? url.hostname : name)

  if (name !== '') {
    const api = new NodeApi(await loadSettings())
    // the site sites.torplus.com is to stand for, or the name itself
    const target = params.get('alias') === 'true' ? new URL(`http://${SITES_HOST}/#${name}`) : url

    try {
      const answer = await api.setupResolving(target)

      if (!answer.resolved) {
        location.replace(errorPage(to, 'ERR_NAME_NOT_FOUND'))
        return
      }
    } catch (err: any) {
      location.replace(errorPage(to, err.code ?? (err.name === 'NodeDownError' ? 'ERR_NODE_DOWN' : 'ERR_NAME_LOOKUP')))
      return
    }
  }

  await send({ type: 'resolved', url: to, name: name === '' ? undefined : name })
  location.replace(to)
}

main().catch(() => {})
