/**
 * The `torplus` command: Kubo's verbs on a TorPlus repo
 */
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { VERSION } from '../version.js'
import { printError } from './command.js'
import { add } from './commands/add.js'
import { attention } from './commands/attention/index.js'
import { bitswap } from './commands/bitswap/index.js'
import { cat } from './commands/cat.js'
import { config } from './commands/config/index.js'
import { daemon } from './commands/daemon.js'
import { devnet } from './commands/devnet/index.js'
import { fill } from './commands/fill/index.js'
import { frequency } from './commands/frequency/index.js'
import { get } from './commands/get.js'
import { id } from './commands/id.js'
import { init } from './commands/init.js'
import { names } from './commands/names/index.js'
import { payments } from './commands/payments/index.js'
import { pin } from './commands/pin/index.js'
import { publish } from './commands/publish/index.js'
import { relay } from './commands/relay/index.js'
import { repo } from './commands/repo/index.js'
import { routing } from './commands/routing/index.js'
import { shutdown } from './commands/shutdown.js'
import { stats } from './commands/stats/index.js'
import { swarm } from './commands/swarm/index.js'
import { version } from './commands/version.js'
import { wallet } from './commands/wallet/index.js'
import { defaultRepoPath } from './context.js'

// `torplus pin ls | head` closes stdout early: that is not an error
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') {
    process.exit(0)
  }

  throw err
})

const commands = [init, daemon, id, version, add, cat, get, pin, repo, config, stats, swarm, routing, bitswap, frequency, fill, wallet, payments, relay, names, publish, attention, shutdown, devnet]

const parser = yargs(hideBin(process.argv))
  .scriptName('torplus')
  .usage('$0 <command> [options]')
  .option('repo-dir', { type: 'string', describe: `Repo path ($TORPLUS_PATH, default ${defaultRepoPath()})`, global: true })
  .option('api', { type: 'string', describe: 'RPC API to use, as a multiaddr or URL (default: the daemon on the repo)', global: true })
  .option('enc', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Output encoding', global: true })
  .option('json', { type: 'boolean', describe: 'Print JSON, as --enc=json (for config set: parse the value as JSON)', global: true })
  .option('timeout', { type: 'string', describe: 'Give up after this long, e.g. 30s', global: true })
  .option('debug', { alias: 'D', type: 'boolean', default: false, describe: 'Print stack traces with errors', global: true })
  .command(commands as any)
  .demandCommand(1, 'name a command: torplus --help lists them')
  .strict()
  .version(VERSION)
  .help()
  .alias('help', 'h')
  .fail((message, err) => {
    if (err != null) {
      printError(err, process.argv.includes('-D') || process.argv.includes('--debug'))
    } else {
      process.stderr.write(`Error: ${message}\nRun with --help for usage.\n`)
    }

    process.exit(1)
  })

try {
  await parser.parseAsync()
} catch (err) {
  printError(err, process.argv.includes('-D') || process.argv.includes('--debug'))
}

// the RPC client keeps sockets alive; a finished command must not linger
process.exit()
