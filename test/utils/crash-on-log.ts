/**
 * Preloaded into a daemon (`node --import`, see startDaemon's `crashOnLog`):
 * the process SIGKILLs itself the moment it logs a line matching the
 * pattern written in the file CRASH_ON_LOG names, before the line's next
 * statement runs, so a test can kill a role at an exact step. The file is
 * read at each write, so a test arms a running daemon; it is emptied before
 * the kill, so the restarted daemon runs on.
 */
import fs from 'node:fs'

const file = process.env.CRASH_ON_LOG

if (file != null) {
  const write = process.stderr.write.bind(process.stderr)

  process.stderr.write = ((chunk: string | Uint8Array, ...rest: any[]) => {
    let pattern = ''

    try {
      pattern = fs.readFileSync(file, 'utf8').trim()
    } catch {}

    if (pattern !== '' && new RegExp(pattern).test(chunk.toString())) {
      fs.writeFileSync(file, '')
      process.kill(process.pid, 'SIGKILL')
    }

    return write(chunk, ...rest)
  }) as typeof process.stderr.write
}
