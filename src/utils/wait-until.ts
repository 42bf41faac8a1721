/**
 * Look at `done` every `interval` ms until it holds, `deadline` (ms since
 * 1970) passes or `signal` aborts; whether it held
 */
export async function waitUntil (done: () => boolean, deadline: number, interval: number, signal?: AbortSignal): Promise<boolean> {
  for (;;) {
    if (done()) {
      return true
    }

    if (Date.now() >= deadline || signal?.aborted === true) {
      return false
    }

    await new Promise(resolve => setTimeout(resolve, interval))
  }
}
