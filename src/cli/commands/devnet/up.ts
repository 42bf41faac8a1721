import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { defaultLogger } from '@libp2p/logger'
import { withContext } from '../../command.js'
import { integerOption } from '../../options.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface DevnetUpArgs {
  nodes: number
  dir: string
  sample: boolean
  attach: boolean
}

/**
 * tor (and dnsmasq for --sample) is what the devnet needs from the system:
 * install it when we may, or say how
 */
async function ensurePackage (command: string, pkg: string): Promise<void> {
  try {
    await promisify(execFile)(command, ['--version'])
    return
  } catch (err: any) {
    if (err.code !== 'ENOENT') {
      throw err
    }
  }

  if (process.getuid?.() !== 0) {
    throw new Error(`${command} is not installed: install it (\`sudo apt-get install ${pkg}\` on Debian or Ubuntu), then run this again`)
  }

  process.stderr.write(`${command} is not installed; installing ${pkg} with apt-get\n`)

  for (const args of [['update'], ['install', '-y', pkg]]) {
    const code = await new Promise<number | null>(resolve => {
      spawn('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).on('exit', resolve)
    })

    if (code !== 0) {
      throw new Error(`apt-get ${args.join(' ')} failed: install ${pkg} by hand (\`apt-get install ${pkg}\`)`)
    }
  }
}

export const devnetUp: CommandModule<GlobalArgs, any> = {
  command: 'up',
  describe: 'Start a private tor network and N torplus daemons on 127.0.0.1',
  builder: (yargs) => yargs
    .option('nodes', { alias: 'n', ...integerOption('How many daemons', 2) })
    .option('dir', { type: 'string', default: '.torplus-devnet', describe: 'Folder for the network and the repos' })
    .option('sample', { type: 'boolean', default: false, describe: 'Add sample content and a sample site to node1, name the site (DNS TXT from dnsmasq, ENS on a local chain), and print how to fetch both through the last node' })
    .option('attach', { type: 'boolean', default: false, describe: 'Stay in the foreground; Ctrl-C stops the devnet' }),
  handler: withContext<DevnetUpArgs>(async (ctx, argv) => {
    if (!Number.isInteger(argv.nodes) || argv.nodes < 1 || argv.nodes > 16) {
      throw new Error('--nodes must be between 1 and 16')
    }

    await ensurePackage('tor', 'tor')

    if (argv.sample) {
      await ensurePackage('dnsmasq', 'dnsmasq-base')
    }

    const { devnetDown, devnetUp } = await import('../../../devnet/cluster.js')
    const started = Date.now()
    const seconds = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`

    const state = await devnetUp({
      dir: argv.dir,
      nodes: argv.nodes,
      sample: argv.sample,
      logger: defaultLogger(),
      signal: ctx.signal,
      // attached, the network is ours: it goes when we go, even killed
      stopWith: argv.attach ? process.pid : undefined,
      onProgress: (evt) => {
        if (evt.type === 'devnet:tor:consensus') {
          ctx.print(`private tor network up (${evt.detail.relays} relays) after ${seconds()}`)
        } else if (evt.type === 'devnet:node') {
          ctx.print(`${evt.detail.name} ready after ${seconds()}`)
        }
      }
    })

    if (state.ledger != null) {
      ctx.print(`Stellar ledger: ${state.ledger.url} (Horizon), asset TPL issued by ${state.ledger.issuer}; every node holds 1000 TPL`)
    }

    for (const node of state.nodes) {
      ctx.print(`${node.name}: ${node.multiaddr}`)
      ctx.print(`  RPC ${node.api}/api/v0   gateway ${node.gateway}/ipfs/<cid>   metrics ${node.api}/debug/metrics/prometheus`)
      ctx.print(`  repo ${node.repo}`)
    }

    if (argv.sample) {
      const { create } = await import('kubo-rpc-client')
      const provider = state.nodes[0]
      const client = state.nodes[state.nodes.length - 1]
      const { cid } = await create({ url: provider.api }).add(`Hello from ${provider.name}, served over an onion service.\n`)
      ctx.print(`sample content ${cid} is on ${provider.name}; fetch it through ${client.name} with:`)
      ctx.print(`  TORPLUS_PATH=${client.repo} npx torplus cat ${cid}`)

      for (const name of state.sample?.names ?? []) {
        ctx.print(`sample site ${name} is published by ${provider.name}; fetch it by name through ${client.name}'s proxy with:`)
        ctx.print(`  curl --proxy http://${client.proxy} http://${name}/`)
      }

      ctx.print(`or in Chrome with the TorPlus extension (load extension/dist unpacked): in its options set the node's proxy to ${client.proxy} and its API to ${client.paymentGateway}`)
    }

    if (!argv.attach) {
      ctx.print(`stop it with: npx torplus devnet down --dir ${argv.dir}`)
      return
    }

    ctx.print('Ctrl-C stops the devnet')
    // the devnet's processes are detached: this timer is what keeps us here,
    // and it reports a node that dies
    const { devnetStatus } = await import('../../../devnet/cluster.js')
    const reported = new Set<string>()
    await new Promise<void>(resolve => {
      const timer = setInterval(() => {
        void devnetStatus(argv.dir).then(nodes => {
          for (const node of nodes ?? []) {
            if (!node.running && !reported.has(node.name)) {
              reported.add(node.name)
              process.stderr.write(`${node.name} stopped: see ${node.repo}/daemon.log\n`)
            }
          }
        })
      }, 2_000)
      const done = (): void => {
        clearInterval(timer)
        resolve()
      }

      if (ctx.signal.aborted) {
        done()
        return
      }

      ctx.signal.addEventListener('abort', done, { once: true })
    })
    ctx.print('stopping the devnet...')
    await devnetDown(argv.dir)
    ctx.print('devnet stopped')
  })
}
