/**
 * publish (a directory, or `target`: a local web server; `name`), publish/ls,
 * publish/rm: the sites this node serves to other torplus nodes
 */
import { Hono } from 'hono'
import { siteView } from '../views/publish.js'
import { args, json, requiredArg } from './encoding.js'
import type { RpcContext } from './index.js'
import type { TorPlusNode } from '../../node.js'
import type { SiteView } from '../views/index.js'

/** The onion other nodes reach this one at; none in the loopback development mode */
function onionOf (node: TorPlusNode): string | undefined {
  return node.tor == null ? undefined : `${node.repo.onionKey.serviceId}.onion`
}

export function publishRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/', async (c) => {
    const [dir] = args(c)
    const site = await node.services.sites.publish({
      dir: dir === '' ? undefined : dir,
      target: c.req.query('target'),
      name: c.req.query('name'),
      signal: c.req.raw.signal
    })
    return json<SiteView>(c, siteView(site, onionOf(node)))
  })

  app.post('/ls', (c) => json<{ Sites: SiteView[] }>(c, { Sites: node.services.sites.list().map(site => siteView(site, onionOf(node))) }))

  app.post('/rm', async (c) => {
    const site = await node.services.sites.unpublish(requiredArg(c, 'site'), { signal: c.req.raw.signal })
    return json<SiteView>(c, siteView(site, onionOf(node)))
  })

  return app
}
