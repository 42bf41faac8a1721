import { multiaddr } from '@multiformats/multiaddr'
import { PROFILES } from '../../config/index.js'
import { initRepo, isInitialized } from '../../repo/index.js'
import { isLoopback } from '../../transport/index.js'
import { onProcessExit } from '../../utils/processes.js'
import { VERSION } from '../../version.js'
import { withContext } from '../command.js'
import { integerOption } from '../options.js'
import { percentProgress } from '../progress.js'
import { initProfileOption } from './init.js'
import type { GlobalArgs } from '../context.js'
import type { CommandModule } from 'yargs'

interface DaemonArgs {
  init: boolean
  profile?: string
  stopWith?: number
}

export const daemon: CommandModule<GlobalArgs, any> = {
  command: 'daemon',
  describe: 'Run the node: libp2p, bitswap, the RPC API, the gateway and metrics',
  builder: (yargs) => yargs
    .option('init', { type: 'boolean', default: false, describe: 'Create the repo first if there is none' })
    .option('profile', { ...initProfileOption, describe: `With --init: ${initProfileOption.describe}` })
    .option('stop-with', integerOption('Stop when the process with this pid exits (tests and benchmarks pass their own)')),
  handler: withContext<DaemonArgs>(async (ctx, argv) => {
    if (argv.init && !(await isInitialized(ctx.repoPath))) {
      const config = await initRepo(ctx.repoPath, { config: argv.profile == null ? undefined : PROFILES[argv.profile].config })
      ctx.print(`initialized torplus repo at ${ctx.repoPath} (peer identity ${config.Identity.PeerID})`)
    }

    // the last line of defence, not a path anything should take: an error that
    // escaped its handler is logged with its stack, and the node serves on
    const escaped = (err: unknown): void => {
      process.stderr.write(`ERROR: an error escaped its handler; the daemon carries on: ${(err as Error)?.stack ?? String(err)}\n`)
    }
    process.on('uncaughtException', escaped)
    process.on('unhandledRejection', escaped)

    const { startDaemon } = await import('../../daemon.js')
    const bootstrap = percentProgress('tor bootstrap')
    let daemon

    try {
      daemon = await startDaemon({
        repoPath: ctx.repoPath,
        signal: ctx.signal,
        onProgress: (evt) => {
          if (evt.type === 'tor:bootstrap') {
            bootstrap.update(evt.detail.progress, evt.detail.summary)
          } else if (evt.type === 'tor:ready') {
            bootstrap.stop()
            // the onion service is published next: the swarm lines follow once it is
            process.stderr.write(`tor is ready (SOCKS ${evt.detail.socks}); publishing the onion service\n`)
          }
        }
      })
    } finally {
      bootstrap.stop()
    }

    const { node, servers } = daemon
    const libp2p = node.helia.libp2p

    ctx.print(`torplus version ${VERSION}`)
    ctx.print(`Repo: ${ctx.repoPath}`)
    ctx.print(`Peer ID: ${libp2p.peerId}`)

    for (const ma of libp2p.getMultiaddrs()) {
      ctx.print(`Swarm listening on ${ma}`)
    }

    ctx.print(`RPC API server listening on ${servers.api.multiaddr} (${servers.api.url}/api/v0)`)
    ctx.print(`Gateway server listening on ${servers.gateway?.url}/ipfs/<cid>`)
    ctx.print(`Payment gateway listening on ${servers.paymentGateway?.url}/api/v1`)
    ctx.print(`Metrics at ${servers.api.url}/debug/metrics/prometheus`)

    if (servers.proxy != null) {
      ctx.print(`Proxy listening on ${servers.proxy.address} (HTTP and SOCKS5: TorPlus sites by name)`)
    }

    for (const server of [servers.api, servers.gateway, servers.paymentGateway]) {
      if (server != null && !isLoopback(multiaddr(server.multiaddr))) {
        process.stderr.write(`WARNING: ${server.url} is reachable from outside this machine (Addresses.AllowNonLoopback is true)\n`)
      }
    }

    ctx.print('Daemon is ready')

    let signals = 0
    const onSignal = (): void => {
      if (++signals > 1) {
        process.stderr.write('forced exit\n')
        process.exit(1)
      }

      ctx.print('Received interrupt signal, shutting down...')
      void daemon.stop()
    }

    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)

    if (argv.stopWith != null) {
      onProcessExit(argv.stopWith, () => {
        ctx.print(`Process ${argv.stopWith} exited, shutting down...`)
        void daemon.stop()
      })
    }

    try {
      await daemon.stopped
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      process.off('uncaughtException', escaped)
      process.off('unhandledRejection', escaped)
    }

    ctx.print('Daemon stopped')
  })
}
