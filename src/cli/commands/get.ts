import { createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { extract } from 'it-tar'
import { fromStroops, toStroops } from '../../stellar/index.js'
import { withContext } from '../command.js'
import { byteProgress, counted } from '../progress.js'
import type { PeersView } from '../../api/views/index.js'
import type { CliContext, GlobalArgs } from '../context.js'
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
    // only a drawn bar shows it
    const payments = progress.shown ? paidSince(ctx, text => { progress.note(text) }) : { stop: async () => {} }

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
      await payments.stop()
      progress.stop()
    }
  })
}

/** Interval of the paid-so-far figure on the progress bar */
const PAID_POLL_INTERVAL = 1000

/**
 * What the node has paid the peers serving it since the get began, polled
 * from the daemon; nothing when payments do not run
 */
function paidSince (ctx: CliContext, show: (text: string) => void): { stop(): Promise<void> } {
  const paid = async (): Promise<bigint | undefined> => {
    try {
      const peers = await ctx.call<PeersView>('payments/peers', {}, { requireDaemon: true })
      return peers.Peers.reduce((sum, peer) => sum + toStroops(peer.Fetched?.Paid ?? '0'), 0n)
    } catch {
      return undefined
    }
  }

  const start = paid()
  const update = async (): Promise<void> => {
    const [before, now] = [await start, await paid()]

    if (before != null && now != null) {
      show(`paid ${fromStroops(now - before)}`)
    }
  }

  const timer = setInterval(() => { void update() }, PAID_POLL_INTERVAL)

  return {
    async stop () {
      clearInterval(timer)
      await update()
    }
  }
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
