/**
 * add, cat, get, files/stat (for /ipfs/ paths)
 */
import { Hono } from 'hono'
import { pushable } from 'it-pushable'
import { toImportDefaults } from '../../config/index.js'
import { add } from '../../core/add.js'
import { cat } from '../../core/cat.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { get } from '../../core/get.js'
import { parseIpfsPath } from '../../core/ipfs-path.js'
import { reading } from '../../core/resolve.js'
import { bytes, flag, integer, json, ndjson, requiredArg } from './encoding.js'
import { multipartCandidates } from './multipart.js'
import type { RpcContext } from './index.js'
import type { Context } from 'hono'
import type { ImportResult } from 'ipfs-unixfs-importer'

/**
 * Kubo names unnamed input (stdin) by its CID, and the wrapping directory ''
 */
function toAddOutput (entry: ImportResult, wrapped: boolean): Record<string, string> {
  const unnamed = entry.path == null || entry.path === ''

  return { Name: unnamed && !wrapped ? entry.cid.toString() : entry.path ?? '', Hash: entry.cid.toString(), Size: String(entry.size) }
}

function cidVersion (c: Context): 0 | 1 | undefined {
  const version = integer(c, 'cid-version')

  if (version != null && version !== 0 && version !== 1) {
    throw new InvalidArgumentError(`cid-version must be 0 or 1, not ${version}`)
  }

  return version
}

export function filesRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/add', async (c) => {
    const signal = c.req.raw.signal
    const defaults = toImportDefaults(node.repo.config)
    const options = {
      pin: flag(c, 'pin', true),
      cidVersion: cidVersion(c) ?? defaults.cidVersion,
      // a CID version asked for brings its own leaves, unless Import.UnixFSRawLeaves says otherwise
      rawLeaves: c.req.query('raw-leaves') == null ? defaults.rawLeaves : flag(c, 'raw-leaves', true),
      chunker: c.req.query('chunker') ?? defaults.chunker,
      wrapWithDirectory: flag(c, 'wrap-with-directory', false),
      signal
    }
    const source = multipartCandidates(c.req.raw, signal)

    if (!flag(c, 'progress', false)) {
      // nothing is sent before the import and the pins are done, so a failure
      // reaches the client as a proper error response
      const results: Array<Record<string, string>> = []

      for await (const entry of add(node, source, options)) {
        results.push(toAddOutput(entry, options.wrapWithDirectory))
      }

      return ndjson(c, (async function * () { yield * results })())
    }

    const out = pushable<Record<string, string | number>>({ objectMode: true })

    void (async () => {
      for await (const entry of add(node, source, {
        ...options,
        onProgress: (evt) => {
          if (evt.type === 'unixfs:importer:progress:file:read') {
            out.push({ Name: evt.detail.path ?? '', Bytes: Number(evt.detail.bytesRead) })
          }
        }
      })) {
        out.push(toAddOutput(entry, options.wrapWithDirectory))
      }
    })().then(() => out.end(), (err: Error) => out.end(err))

    return ndjson(c, out)
  })

  app.post('/cat', async (c) => {
    const target = parseIpfsPath(requiredArg(c, 'ipfs-path'))
    const content = await cat(node, target, {
      offset: integer(c, 'offset'),
      length: integer(c, 'length'),
      signal: c.req.raw.signal
    })

    return bytes(c, content)
  })

  app.post('/get', async (c) => {
    if (flag(c, 'archive', false) || flag(c, 'compress', false)) {
      throw new InvalidArgumentError('get --archive/--compress is not supported: the RPC API always sends a tar stream')
    }

    const target = parseIpfsPath(requiredArg(c, 'ipfs-path'))

    return bytes(c, await get(node, target, { signal: c.req.raw.signal }), 'application/x-tar')
  })

  app.post('/files/stat', async (c) => {
    const target = parseIpfsPath(requiredArg(c, 'path'))
    const stat = await reading(target, async () => node.fs.stat(target.cid, {
      path: target.path === '' ? undefined : target.path,
      extended: true,
      offline: node.offline,
      signal: c.req.raw.signal
    }))

    return json(c, {
      Hash: stat.cid.toString(),
      Size: stat.type === 'directory' ? 0 : stat.size,
      CumulativeSize: stat.dagSize,
      Blocks: stat.blocks,
      Type: stat.type === 'directory' ? 'directory' : 'file',
      WithLocality: false
    })
  })

  return app
}
