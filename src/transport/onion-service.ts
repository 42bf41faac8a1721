/**
 * One onion service per key, with every port its listeners serve. tor
 * takes one ADD_ONION per key (a second one for another port is refused
 * "550 Onion address collision"), so a port that comes or goes re-adds the
 * service with all of them, and a tor restart re-adds it once.
 *
 * A new descriptor is uploaded to several directories; a client that asks
 * one that has not got it yet is told the service is unknown, so the ports
 * count as published once every upload tor started has ended, or after
 * `descriptorTimeout`.
 */
import { setMaxListeners } from '@libp2p/interface'
import type { TorProvider } from './index.js'
import type { OnionKey } from './onion-address.js'
import type { HsDescEvent } from './tor/control/index.js'
import type { Logger } from '@libp2p/interface'

export interface OnionServiceInit {
  tor: TorProvider
  key: OnionKey
  /** Milliseconds to wait for the descriptor uploads before reporting the ports */
  descriptorTimeout: number
  log: Logger
}

export class OnionService {
  private readonly init: OnionServiceInit
  /** Virtual port → local target `host:port` */
  private readonly ports = new Map<number, string>()
  private published = false
  /** One change of the service at a time, in order */
  private queue: Promise<void> = Promise.resolve()
  private unwatch: () => void = () => {}

  constructor (init: OnionServiceInit) {
    this.init = init
  }

  get serviceId (): string {
    return this.init.key.serviceId
  }

  /**
   * Serve `virtualPort` from `target`; resolves once the descriptor is out.
   * With `withOthers`, a service not published yet is not published for this
   * port alone: it goes out with the next port added (a listener's), sparing
   * a descriptor and the wait for it.
   */
  async add (virtualPort: number, target: string, options: { withOthers?: boolean } = {}): Promise<void> {
    await this.change(async () => {
      this.ports.set(virtualPort, target)

      if (options.withOthers === true && !this.published) {
        return
      }

      try {
        await this.publish()
      } catch (err) {
        this.ports.delete(virtualPort)
        throw err
      }

      if (this.ports.size === 1) {
        this.init.tor.addEventListener('restarted', this.onRestart)
      }
    })
  }

  /** Stop serving `virtualPort`; the service goes with its last port */
  async remove (virtualPort: number): Promise<void> {
    await this.change(async () => {
      if (!this.ports.delete(virtualPort)) {
        return
      }

      await this.withdraw()

      if (this.ports.size > 0) {
        // the ports left were reported long ago: their listeners need not wait for the uploads
        await this.publish({ waitForUploads: false })
      } else {
        this.init.tor.removeEventListener('restarted', this.onRestart)
        this.unwatch()
      }
    })
  }

  private async change (fn: () => Promise<void>): Promise<void> {
    const next = this.queue.then(fn)
    this.queue = next.catch(() => {})
    await next
  }

  private readonly onRestart = (): void => {
    // the service went with the old tor
    this.published = false
    this.change(async () => { await this.publish() }).catch(err => {
      this.init.log.error('could not publish the onion service again after tor restarted - %e', err)
    })
  }

  private async withdraw (): Promise<void> {
    if (!this.published) {
      return
    }

    this.published = false

    try {
      await this.init.tor.control.delOnion(this.serviceId)
    } catch (err: any) {
      // tor already gone: the service went with its control connection
      this.init.log('DEL_ONION failed - %s', err.message)
    }
  }

  private async publish (options: { waitForUploads?: boolean } = {}): Promise<void> {
    if (this.ports.size === 0) {
      return
    }

    await this.withdraw()
    const control = this.init.tor.control
    const uploads = options.waitForUploads === false ? undefined : this.watchUploads()

    try {
      await control.addOnion({
        privateKey: this.init.key.privateKey,
        ports: [...this.ports].map(([virtualPort, target]) => ({ virtualPort, target }))
      })
      this.published = true
    } catch (err) {
      uploads?.abort()
      throw err
    }

    this.watchRejections()
    await uploads?.done
    this.init.log('published %s on ports %s', this.serviceId, [...this.ports.keys()].join(', '))
  }

  /** Resolves once every upload started has ended and one succeeded, or at the timeout */
  private watchUploads (): { done: Promise<void>, abort(): void } {
    const control = this.init.tor.control
    const pending = new Set<string>()
    let uploaded = false
    const stop = new AbortController()
    setMaxListeners(Infinity, stop.signal)

    const done = new Promise<void>(resolve => {
      const timer = setTimeout(() => { stop.abort() }, this.init.descriptorTimeout)
      const onDesc = (evt: CustomEvent<HsDescEvent>): void => {
        const { action, address, hsDir } = evt.detail

        if (address !== this.serviceId || hsDir == null) {
          return
        }

        if (action === 'UPLOAD') {
          pending.add(hsDir)
        } else if (action === 'UPLOADED' || action === 'FAILED') {
          pending.delete(hsDir)
          uploaded ||= action === 'UPLOADED'

          if (uploaded && pending.size === 0) {
            stop.abort()
          }
        }
      }

      control.addEventListener('hs-desc', onDesc)
      stop.signal.addEventListener('abort', () => {
        clearTimeout(timer)
        control.removeEventListener('hs-desc', onDesc)
        resolve()
      }, { once: true })
    })

    return { done, abort: () => { stop.abort() } }
  }

  /**
   * An HSDir refuses a descriptor whose revision is not above the one it
   * holds; after a restart across a descriptor rotation that can be ours, and
   * clients then get the stale one until tor's next rotation. Nothing a
   * controller can do forces a new revision, so say it plainly.
   */
  private watchRejections (): void {
    this.unwatch()
    const control = this.init.tor.control
    const onDesc = (evt: CustomEvent<HsDescEvent>): void => {
      if (evt.detail.action === 'FAILED' && evt.detail.reason === 'UPLOAD_REJECTED' && evt.detail.address === this.serviceId) {
        this.init.log.error('a tor directory rejected our onion descriptor because it holds a newer one from before the last tor restart; some clients may not reach this node until tor publishes its next descriptor')
        // once per publication: every HSDir says the same
        this.unwatch()
      }
    }
    control.addEventListener('hs-desc', onDesc)
    this.unwatch = () => { control.removeEventListener('hs-desc', onDesc) }
  }
}
