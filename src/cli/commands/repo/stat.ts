import { formatByteSize } from '../../../config/index.js'
import { withContext } from '../../command.js'
import type { GlobalArgs } from '../../context.js'
import type { CommandModule } from 'yargs'

interface RepoStatArgs {
  human: boolean
}

export const repoStat: CommandModule<GlobalArgs, any> = {
  command: 'stat',
  describe: 'Show the repo size, block count and storage quota',
  builder: (yargs) => yargs.option('human', { alias: 'H', type: 'boolean', default: false, describe: 'Sizes in KiB, MiB, GiB' }),
  handler: withContext<RepoStatArgs>(async (ctx, argv) => {
    const client = await ctx.client()
    const stat = await client.repo.stat({ signal: ctx.signal })

    if (ctx.json) {
      ctx.printJson({ NumObjects: stat.numObjects, RepoSize: stat.repoSize, StorageMax: stat.storageMax, RepoPath: stat.repoPath, Version: stat.version })
      return
    }

    const size = (value: bigint): string => argv.human ? formatByteSize(value) : value.toString()
    ctx.print(`NumObjects: ${stat.numObjects}`)
    ctx.print(`RepoSize:   ${size(stat.repoSize)}`)
    ctx.print(`StorageMax: ${size(stat.storageMax)}`)
    ctx.print(`RepoPath:   ${stat.repoPath}`)
    ctx.print(`Version:    ${stat.version}`)
  })
}
