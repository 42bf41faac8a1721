/**
 * repo/stat, repo/gc
 */
import { Hono } from 'hono'
import { repoGc, repoStat } from '../../core/repo.js'
import { json, ndjson } from './encoding.js'
import type { RpcContext } from './index.js'

export function repoRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/stat', (c) => {
    const stat = repoStat(node)

    return json(c, {
      NumObjects: stat.numObjects,
      RepoSize: stat.repoSize,
      StorageMax: stat.storageMax,
      RepoPath: stat.repoPath,
      Version: stat.version
    })
  })

  app.post('/gc', async (c) => ndjson(c, (async function * () {
    for await (const result of repoGc(node, { signal: c.req.raw.signal })) {
      yield 'cid' in result ? { Key: { '/': result.cid.toString() } } : { Error: result.error.message }
    }
  })()))

  return app
}
