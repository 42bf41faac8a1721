import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface ConfigSetArgs {
  key: string
  value: string
  json: boolean
  bool: boolean
}

export const configSet: CommandModule<GlobalArgs, any> = {
  command: 'set <key> <value>',
  describe: 'Change one value; a running daemon applies it at its next start',
  builder: (yargs) => yargs
    .positional('key', { type: 'string', demandOption: true })
    .positional('value', { type: 'string', demandOption: true })
    .option('json', { type: 'boolean', default: false, describe: 'Parse the value as JSON' })
    .option('bool', { type: 'boolean', default: false, describe: 'Parse the value as a boolean' }),
  handler: withContext<ConfigSetArgs>(async (ctx, argv) => {
    const client = await ctx.client()
    // the API parses the value, as Kubo's does, from the --json and --bool flags
    await client.config.set(argv.key, String(argv.value), { json: argv.json, bool: argv.bool, signal: ctx.signal } as any)

    if (ctx.isDaemon()) {
      process.stderr.write('saved; restart the daemon to apply it\n')
    }
  })
}
