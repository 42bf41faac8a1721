import { createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { extract } from 'it-tar'
import { withContext } from '../command.js'
import { byteProgress, counted } from '../progress.js'
import type { GlobalArgs } from '../context.js'
import type { CommandModule } from 'yargs'

interface GetArgs {
  path: string
  output?: string
  progress: boolean
}

export const get: CommandModule<GlobalArgs, any> = {
  command: 'get <path>',
  describe: 'Save a file or a directory tree to disk',
  builder: (yargs) => yargs
    .positional('path', { type: 'string', demandOption: true, describe: 'A CID or /ipfs/ path' })
    .option('output', { alias: 'o', type: 'string', describe: 'Where to save it (default: ./<name>)' })
    .option('progress', { type: 'boolean', default: true, describe: 'Show a progress bar' }),
  handler: withContext<GetArgs>(async (ctx, argv) => {
    const client = await ctx.client()
    const stat = await client.files.stat(argv.path.startsWith('/ipfs/') ? argv.path : `/ipfs/${argv.path}`, { signal: ctx.signal })
    const total = stat.type === 'directory' ? Number(stat.cumulativeSize) : Number(stat.size)
    const name = argv.path.split('/').filter(part => part !== '' && part !== 'ipfs').pop() ?? stat.cid.toString()
    const output = path.resolve(argv.output ?? name)
    ctx.print(`Saving ${stat.type === 'directory' ? 'directory' : 'file'} to ${output}`)
    const progress = byteProgress('saving', total, argv.progress && !ctx.json)

    try {
      for await (const entry of extract()(client.get(argv.path, { signal: ctx.signal }))) {
        const target = insideOutput(output, entry.header.name)

        if (entry.header.type === 'directory') {
          await fs.mkdir(target, { recursive: true })
          for await (const chunk of entry.body) { void chunk }
          continue
        }

        await fs.mkdir(path.dirname(target), { recursive: true })
        await pipeline(counted(entry.body, progress), createWriteStream(target))
      }
    } finally {
      progress.stop()
    }
  })
}

/**
 * Map a tar entry ("<name>/a/b") under the output path, refusing names that
 * would escape it
 */
function insideOutput (output: string, entryName: string): string {
  const parts = entryName.split('/').slice(1)
  const target = path.resolve(output, ...parts)

  if (target !== output && !target.startsWith(output + path.sep)) {
    throw new Error(`refusing to write ${entryName} outside ${output}`)
  }

  return target
}
