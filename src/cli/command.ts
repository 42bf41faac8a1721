/**
 * Glue between yargs and command handlers: build the context, run, report
 * errors as one line on stderr with a non-zero exit, always clean up
 */
import { createContext } from './context.js'
import type { CliContext, GlobalArgs } from './context.js'
import type { ArgumentsCamelCase } from 'yargs'

export interface Handler<A> { (ctx: CliContext, argv: ArgumentsCamelCase<GlobalArgs & A>): Promise<void> }

export function withContext<A> (handler: Handler<A>): (argv: ArgumentsCamelCase<any>) => Promise<void> {
  return async (input) => {
    const argv = input as ArgumentsCamelCase<GlobalArgs & A>
    const ctx = createContext(argv)

    try {
      await handler(ctx, argv)
    } catch (err: any) {
      printError(err, argv.debug === true)
    } finally {
      await ctx.close().catch((err) => { printError(err, argv.debug === true) })
    }
  }
}

export function printError (err: any, debug: boolean): void {
  process.exitCode = 1
  const message: string = err?.message ?? String(err)
  process.stderr.write(`Error: ${debug && err?.stack != null ? err.stack : message.split('\n')[0]}\n`)
}
