/**
 * names/resolve: the onion a TorPlus name (torplus.<domain>, <name>.eth,
 * http://sites.torplus.com/#<keyword>) stands for
 */
import { Hono } from 'hono'
import { nameView } from '../views/names.js'
import { json, requiredArg } from './encoding.js'
import type { RpcContext } from './index.js'
import type { NameView } from '../views/index.js'

export function namesRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/resolve', async (c) => {
    const name = requiredArg(c, 'name')
    return json<NameView>(c, nameView(await node.services.names.resolve(name, { signal: c.req.raw.signal })))
  })

  return app
}
