/**
 * pin/add, pin/rm, pin/ls
 */
import { Hono } from 'hono'
import { InvalidArgumentError } from '../../core/errors.js'
import { parseIpfsPath } from '../../core/ipfs-path.js'
import { pinAdd, pinLs, pinRm } from '../../core/pin.js'
import { resolve, withStorageOptions } from '../../core/resolve.js'
import { args, flag, json, ndjson } from './encoding.js'
import type { RpcContext } from './index.js'
import type { Context } from 'hono'
import type { CID } from 'multiformats/cid'

/**
 * Pins name whole DAGs: a path inside one is resolved to its CID first
 */
async function pinTargets (c: Context, { node }: RpcContext): Promise<CID[]> {
  const paths = args(c)

  if (paths.length === 0) {
    throw new InvalidArgumentError('argument "ipfs-path" is required')
  }

  if (!flag(c, 'recursive', true)) {
    throw new InvalidArgumentError('only recursive pins are supported')
  }

  return Promise.all(paths.map(async (path) => {
    const target = parseIpfsPath(path)

    if (target.path === '') {
      return target.cid
    }

    return (await resolve(node, target, withStorageOptions(node, { signal: c.req.raw.signal }))).cid
  }))
}

export function pinRoutes (ctx: RpcContext): Hono {
  const app = new Hono()
  const { node } = ctx

  app.post('/add', async (c) => {
    const pins: string[] = []

    for (const cid of await pinTargets(c, ctx)) {
      // a pin the user asks for is local demand (add's own pin is not)
      node.services.frequency?.observeLocal(cid)
      pins.push((await pinAdd(node, cid, { name: c.req.query('name'), signal: c.req.raw.signal })).toString())
    }

    return json(c, { Pins: pins })
  })

  app.post('/rm', async (c) => {
    const pins: string[] = []

    for (const cid of await pinTargets(c, ctx)) {
      pins.push((await pinRm(node, cid, { signal: c.req.raw.signal })).toString())
    }

    return json(c, { Pins: pins })
  })

  app.post('/ls', async (c) => {
    const type = c.req.query('type') ?? 'all'

    if (!['all', 'recursive', 'direct', 'indirect'].includes(type)) {
      throw new InvalidArgumentError(`pin type must be all, recursive, direct or indirect, not "${type}"`)
    }

    const filter = args(c).map(path => parseIpfsPath(path).cid)
    const pins = type === 'all' || type === 'recursive' ? pinLs(node, filter, { signal: c.req.raw.signal }) : (async function * () {})()

    if (flag(c, 'stream', false)) {
      return ndjson(c, (async function * () {
        for await (const pin of pins) {
          yield { Cid: pin.cid.toString(), Type: pin.type, Name: pin.name }
        }
      })())
    }

    const keys: Record<string, { Type: string, Name?: string }> = {}

    for await (const pin of pins) {
      keys[pin.cid.toString()] = { Type: pin.type, Name: pin.name }
    }

    return json(c, { Keys: keys })
  })

  return app
}
