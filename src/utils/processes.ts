/**
 * Process helpers: whether a pid lives, and stopping processes gently first
 */
import type { ChildProcess } from 'node:child_process'

/**
 * Stop a child process: SIGTERM, then SIGKILL if it lingers
 */
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

/**
 * Stop a process known only by pid (one another process started): SIGTERM,
 * then SIGKILL if it lingers past `graceMs`
 */
export async function stopPid (pid: number, graceMs: number): Promise<void> {
  if (pid <= 0 || !isAlive(pid)) {
    return
  }

  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs

  while (isAlive(pid) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 100))
  }

  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL')
  }
}

/**
 * Whether a process with this pid exists (EPERM: it does, but is not ours)
 */
export function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err: any) {
    return err.code === 'EPERM'
  }
}

/** Milliseconds between looks at a watched process */
const WATCH_INTERVAL = 500

/**
 * Call `onExit` once the process `pid` is gone: a test or benchmark passes
 * its own pid to the daemons it starts, so that they stop with it even when
 * it is killed (a detached child outlives its parent otherwise, and holds
 * its ports and repo lock). Stops watching when `signal` aborts.
 */
export function onProcessExit (pid: number, onExit: () => void, signal?: AbortSignal): void {
  const timer = setInterval(() => {
    if (!isAlive(pid)) {
      clearInterval(timer)
      onExit()
    }
  }, WATCH_INTERVAL)
  timer.unref()
  signal?.addEventListener('abort', () => { clearInterval(timer) }, { once: true })
}

/** Resolves once `signal` aborts, or the process `stopWith` (when given) exits */
export async function untilStopped (signal: AbortSignal, stopWith?: number): Promise<void> {
  await new Promise<void>(resolve => {
    if (signal.aborted) {
      resolve()
      return
    }

    signal.addEventListener('abort', () => { resolve() }, { once: true })

    if (stopWith != null) {
      onProcessExit(stopWith, resolve, signal)
    }
  })
}
