import { withContext } from '../command.js'
import { integerOption } from '../options.js'
import type { GlobalArgs } from '../context.js'
import type { CommandModule } from 'yargs'

interface CatArgs {
  path: string
  offset?: number
  length?: number
}

export const cat: CommandModule<GlobalArgs, any> = {
  command: 'cat <path>',
  describe: 'Write the content of a file to stdout',
  builder: (yargs) => yargs
    .positional('path', { type: 'string', demandOption: true, describe: 'A CID or /ipfs/ path' })
    .option('offset', { alias: 'o', ...integerOption('Byte offset to start at') })
    .option('length', { alias: 'l', ...integerOption('Most bytes to read') }),
  handler: withContext<CatArgs>(async (ctx, argv) => {
    const client = await ctx.client()

    for await (const chunk of client.cat(argv.path, { offset: argv.offset, length: argv.length, signal: ctx.signal })) {
      if (!process.stdout.write(chunk)) {
        await new Promise(resolve => process.stdout.once('drain', resolve))
      }
    }
  })
}
