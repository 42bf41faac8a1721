import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { withContext } from '../command.js'
import { byteProgress, counted } from '../progress.js'
import type { GlobalArgs } from '../context.js'
import type { ByteProgress } from '../progress.js'
import type { Stats } from 'node:fs'
import type { CommandModule } from 'yargs'

interface AddArgs {
  paths: string[]
  recursive: boolean
  pin: boolean
  cidVersion?: number
  rawLeaves?: boolean
  chunker?: string
  wrapWithDirectory: boolean
  quiet: boolean
  quieter: boolean
  progress: boolean
}

interface Entry {
  path: string
  content?: AsyncIterable<Uint8Array>
}

export const add: CommandModule<GlobalArgs, any> = {
  command: 'add [paths..]',
  describe: 'Add files or directories (-r) to the repo and pin them; with no path, read stdin',
  builder: (yargs) => yargs
    .positional('paths', { type: 'string', array: true, default: [], describe: 'Files or directories to add' })
    .option('recursive', { alias: 'r', type: 'boolean', default: false, describe: 'Add directories recursively' })
    .option('pin', { type: 'boolean', default: true, describe: 'Pin what is added' })
    .option('cid-version', { type: 'number', choices: [0, 1], describe: 'CID version (default Import.CidVersion: 1)' })
    .option('raw-leaves', { type: 'boolean', describe: 'Use raw blocks for leaves (default Import.UnixFSRawLeaves, else with CIDv1)' })
    .option('chunker', { type: 'string', describe: 'Chunking, size-<bytes> (default Import.UnixFSChunker, else 1 MiB with CIDv1, 256 KiB with CIDv0)' })
    .option('wrap-with-directory', { alias: 'w', type: 'boolean', default: false, describe: 'Wrap what is added in a directory' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print CIDs only' })
    .option('quieter', { alias: 'Q', type: 'boolean', default: false, describe: 'Print only the last CID' })
    .option('progress', { type: 'boolean', default: true, describe: 'Show a progress bar for large input' }),
  handler: withContext<AddArgs>(async (ctx, argv) => {
    const total = argv.paths.length === 0 ? undefined : await totalSize(argv.paths, argv.recursive)
    const progress = byteProgress('adding', total, argv.progress && !ctx.json)
    const client = await ctx.client()
    let last: { Name: string, Hash: string, Size: string } | undefined

    try {
      const source = argv.paths.length === 0
        ? [{ path: '', content: counted(process.stdin, progress) }]
        : entries(argv.paths, argv.recursive, progress)

      for await (const result of client.addAll(source, {
        pin: argv.pin,
        cidVersion: argv.cidVersion as 0 | 1 | undefined,
        rawLeaves: argv.rawLeaves,
        chunker: argv.chunker,
        wrapWithDirectory: argv.wrapWithDirectory,
        signal: ctx.signal
      })) {
        // results come once the input is read: the bar is done
        progress.stop()
        last = { Name: result.path, Hash: result.cid.toString(), Size: String(result.size) }

        if (ctx.json) {
          ctx.printJson(last)
        } else if (argv.quiet) {
          ctx.print(last.Hash)
        } else if (!argv.quieter) {
          ctx.print(`added ${last.Hash} ${last.Name}`.trimEnd())
        }
      }
    } finally {
      progress.stop()
    }

    if (argv.quieter && !ctx.json && last != null) {
      ctx.print(last.Hash)
    }
  })
}

async function totalSize (paths: string[], recursive: boolean): Promise<number> {
  let total = 0

  for (const item of paths) {
    const stat = await statOrFail(item)

    if (stat.isDirectory()) {
      if (!recursive) {
        throw new Error(`${item} is a directory: use -r to add directories`)
      }

      for (const entry of await fs.readdir(item, { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) {
          total += (await fs.stat(path.join(entry.parentPath, entry.name))).size
        }
      }
    } else {
      total += stat.size
    }
  }

  return total
}

async function statOrFail (item: string): Promise<Stats> {
  try {
    return await fs.stat(item)
  } catch (err: any) {
    throw new Error(err.code === 'ENOENT' ? `${item}: no such file or directory` : `${item}: ${err.message}`)
  }
}

async function * entries (paths: string[], recursive: boolean, progress: ByteProgress): AsyncGenerator<Entry> {
  for (const item of paths) {
    const stat = await statOrFail(item)
    const name = path.basename(path.resolve(item))

    if (!stat.isDirectory()) {
      yield { path: name, content: counted(createReadStream(item), progress) }
      continue
    }

    if (!recursive) {
      throw new Error(`${item} is a directory: use -r to add directories`)
    }

    yield { path: name }

    for (const entry of (await fs.readdir(item, { recursive: true, withFileTypes: true })).sort(byPath)) {
      const full = path.join(entry.parentPath, entry.name)
      const relative = path.join(name, path.relative(item, full)).split(path.sep).join('/')

      if (entry.isDirectory()) {
        yield { path: relative }
      } else if (entry.isFile()) {
        yield { path: relative, content: counted(createReadStream(full), progress) }
      }
    }
  }
}

function byPath (a: { parentPath: string, name: string }, b: { parentPath: string, name: string }): number {
  const left = path.join(a.parentPath, a.name)
  const right = path.join(b.parentPath, b.name)

  return left.localeCompare(right)
}
