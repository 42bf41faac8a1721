/**
 * Wait until tor reports 100% bootstrapped, passing its progress on
 */
import { CustomProgressEvent } from 'progress-events'
import { TorBootstrapTimeoutError } from '../errors.js'
import { parseBootstrapStatus } from './control/index.js'
import type { BootstrapStatus, TorControl } from './control/index.js'
import type { AbortOptions } from '@libp2p/interface'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

export type BootstrapProgressEvents = ProgressEvent<'tor:bootstrap', BootstrapStatus>

export interface WaitForBootstrapOptions extends AbortOptions, ProgressOptions<BootstrapProgressEvents> {
  /** Milliseconds until giving up */
  timeout: number
  /** Where to look when it fails, for the error message */
  log: string
}

export async function waitForBootstrap (control: TorControl, options: WaitForBootstrapOptions): Promise<void> {
  const deadline = Date.now() + options.timeout
  let latest: BootstrapStatus = { progress: 0, tag: '', summary: '' }
  const report = (status: BootstrapStatus): void => {
    latest = status
    options.onProgress?.(new CustomProgressEvent('tor:bootstrap', status))
  }
  const onBootstrap = (evt: CustomEvent<BootstrapStatus>): void => { report(evt.detail) }
  // the next bootstrap event, or a re-check after `ms`
  const nextEvent = async (ms: number): Promise<void> => {
    await new Promise<void>(resolve => {
      const timer = setTimeout(done, ms)
      function done (): void {
        clearTimeout(timer)
        control.removeEventListener('bootstrap', done)
        resolve()
      }
      control.addEventListener('bootstrap', done)
    })
  }

  control.addEventListener('bootstrap', onBootstrap)

  try {
    await control.setEvents(['STATUS_CLIENT', 'HS_DESC'], options)
    // where it is now ("NOTICE BOOTSTRAP PROGRESS=.. TAG=.. SUMMARY=.."), as its events say it: a
    // tor that finished before we listened sends none
    const now = await bootstrapStatus(control, options)

    if (now != null) {
      report(now)
    }

    while (latest.progress < 100) {
      const remaining = deadline - Date.now()

      if (remaining <= 0) {
        throw new TorBootstrapTimeoutError(options.timeout, latest.progress, latest.summary, options.log)
      }

      await nextEvent(Math.min(remaining, 1_000))
      options.signal?.throwIfAborted()
    }
  } finally {
    control.removeEventListener('bootstrap', onBootstrap)
  }
}

/** Where tor's bootstrap is now, as it says ("NOTICE BOOTSTRAP PROGRESS=.. TAG=.. SUMMARY=..") */
export async function bootstrapStatus (control: Pick<TorControl, 'getInfo'>, options: AbortOptions = {}): Promise<BootstrapStatus | undefined> {
  const phase = (await control.getInfo(['status/bootstrap-phase'], options)).get('status/bootstrap-phase') ?? ''
  return parseBootstrapStatus(phase.split(' ').slice(2).join(' '))
}
