import { PROFILES } from '../../config/index.js'
import { initRepo } from '../../repo/index.js'
import { withContext } from '../command.js'
import type { GlobalArgs } from '../context.js'
import type { CommandModule } from 'yargs'

interface InitArgs {
  profile?: string
}

export const initProfileOption = {
  type: 'string',
  choices: Object.keys(PROFILES),
  describe: `Config profile: ${Object.entries(PROFILES).map(([name, p]) => `${name} (${p.describe})`).join('; ')}`
} as const

export const init: CommandModule<GlobalArgs, any> = {
  command: 'init',
  describe: 'Create a repo: config, identity and onion keys, blockstore and datastore',
  builder: (yargs) => yargs.option('profile', initProfileOption),
  handler: withContext<InitArgs>(async (ctx, argv) => {
    const config = await initRepo(ctx.repoPath, { config: argv.profile == null ? undefined : PROFILES[argv.profile].config })

    if (ctx.json) {
      ctx.printJson({ ID: config.Identity.PeerID, RepoPath: ctx.repoPath })
      return
    }

    ctx.print(`initialized torplus repo at ${ctx.repoPath}`)
    ctx.print(`peer identity: ${config.Identity.PeerID}`)
  })
}
