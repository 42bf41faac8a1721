import path from 'node:path'
import { withContext } from '../../command.js'
import { publishLs } from './ls.js'
import { printSite } from './print.js'
import { publishRm } from './rm.js'
import type { SiteView } from '../../../api/views/index.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface PublishArgs {
  dir?: string
  target?: string
  name?: string
}

export const publish: CommandModule<GlobalArgs, any> = {
  command: 'publish [dir]',
  describe: 'Publish a directory, or a local web server (--target), as a site of this node: other torplus nodes reach it over libp2p, paid as content is; prints the record that names it (needs the daemon)',
  builder: (yargs) => yargs
    .command([publishLs, publishRm] as any)
    .positional('dir', { type: 'string', describe: 'A directory to serve: index files, content types, ranges, ETags' })
    .option('target', { type: 'string', describe: 'A local web server to forward to instead, http://127.0.0.1:<port>' })
    .option('name', { type: 'string', describe: 'The name browsers reach it by: torplus.<your domain> (DNS TXT) or <name>.torplus.eth (ENS)' }),
  handler: withContext<PublishArgs>(async (ctx, argv) => {
    if ((argv.dir == null) === (argv.target == null)) {
      throw new Error('publish a directory or --target http://127.0.0.1:<port>, one of them')
    }

    // the daemon's working directory is not ours
    const site = await ctx.call<SiteView>('publish', {
      arg: argv.dir == null ? '' : path.resolve(argv.dir),
      target: argv.target,
      name: argv.name
    }, { requireDaemon: true })

    if (ctx.json) {
      ctx.printJson(site)
      return
    }

    printSite(ctx, site, true)
  })
}
