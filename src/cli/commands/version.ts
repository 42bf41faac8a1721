import { REPO_VERSION, VERSION } from '../../version.js'
import { withContext } from '../command.js'
import type { GlobalArgs } from '../context.js'
import type { CommandModule } from 'yargs'

export const version: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'version',
  describe: 'Show the torplus version',
  handler: withContext(async (ctx) => {
    if (ctx.json) {
      ctx.printJson({ Version: VERSION, Commit: '', Repo: String(REPO_VERSION), System: `${process.arch}/${process.platform}`, Golang: process.version })
      return
    }

    ctx.print(`torplus version ${VERSION}`)
  })
}
