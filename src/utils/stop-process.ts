/**
 * Stop a child process: SIGTERM, then SIGKILL if it lingers
 */
import type { ChildProcess } from 'node:child_process'

export async function stopProcess (child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (child == null || child.exitCode != null || child.signalCode != null) {
    return
  }

  const exited = new Promise<void>(resolve => child.once('exit', () => { resolve() }))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}
