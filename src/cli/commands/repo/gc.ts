import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface RepoGcArgs {
  quiet: boolean
}

export const repoGc: CommandModule<GlobalArgs, any> = {
  command: 'gc',
  describe: 'Delete every block that no pin reaches',
  builder: (yargs) => yargs.option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print CIDs only' }),
  handler: withContext<RepoGcArgs>(async (ctx, argv) => {
    const client = await ctx.client()
    let failed = 0

    for await (const result of client.repo.gc({ signal: ctx.signal })) {
      if (result.err != null) {
        failed++
        process.stderr.write(`Error: ${result.err.message}\n`)
      } else if (result.cid != null) {
        if (ctx.json) {
          ctx.printJson({ Key: { '/': result.cid.toString() } })
        } else {
          ctx.print(argv.quiet ? result.cid.toString() : `removed ${result.cid}`)
        }
      }
    }

    if (failed > 0) {
      throw new Error(`${failed} blocks could not be removed`)
    }
  })
}
