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
    const value = parseValue(String(argv.value), argv.json, argv.bool)

    await client.config.set(argv.key, value as any, { signal: ctx.signal })

    if (ctx.isDaemon()) {
      process.stderr.write('saved; restart the daemon to apply it\n')
    }
  })
}

function parseValue (raw: string, json: boolean, bool: boolean): unknown {
  if (bool) {
    if (raw !== 'true' && raw !== 'false') {
      throw new Error(`"${raw}" is not a boolean: use true or false`)
    }

    return raw === 'true'
  }

  if (!json) {
    return raw
  }

  try {
    return JSON.parse(raw)
  } catch {
    throw new Error(`"${raw}" is not JSON: drop --json to set it as a string`)
  }
}
