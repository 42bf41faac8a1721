import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface PinLsArgs {
  paths: string[]
  type: 'all' | 'recursive' | 'direct' | 'indirect'
  quiet: boolean
}

export const pinLs: CommandModule<GlobalArgs, any> = {
  command: 'ls [paths..]',
  describe: 'List pins',
  builder: (yargs) => yargs
    .positional('paths', { type: 'string', array: true, default: [], describe: 'Only these CIDs' })
    .option('type', { alias: 't', choices: ['all', 'recursive', 'direct', 'indirect'] as const, default: 'all' as const, describe: 'Pin type' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print CIDs only' }),
  handler: withContext<PinLsArgs>(async (ctx, argv) => {
    const client = await ctx.client()
    const keys: Record<string, { Type: string, Name?: string }> = {}

    for await (const pin of client.pin.ls({ paths: argv.paths as any, type: argv.type, signal: ctx.signal })) {
      keys[pin.cid.toString()] = { Type: pin.type, Name: pin.name }

      if (!ctx.json) {
        ctx.print(argv.quiet ? pin.cid.toString() : `${pin.cid} ${pin.type}${pin.name == null ? '' : ` ${pin.name}`}`)
      }
    }

    if (ctx.json) {
      ctx.printJson({ Keys: keys })
    }
  })
}
