import { initRepo } from '../../repo/index.js'
import { withContext } from '../command.js'
import type { GlobalArgs } from '../context.js'
import type { CommandModule } from 'yargs'

export const init: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'init',
  describe: 'Create a repo: config, identity key, blockstore and datastore',
  handler: withContext(async (ctx) => {
    const config = await initRepo(ctx.repoPath)

    if (ctx.json) {
      ctx.printJson({ ID: config.Identity.PeerID, RepoPath: ctx.repoPath })
      return
    }

    ctx.print(`initialized torplus repo at ${ctx.repoPath}`)
    ctx.print(`peer identity: ${config.Identity.PeerID}`)
  })
}
