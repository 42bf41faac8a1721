/**
 * One free allowance shared by every visitor of the plain onion: tor hides
 * who they are, so a visitor that opens a new circuit per request must not
 * get a new allowance. Bytes past it wait for the allowance to refill, so
 * all of them together are served at most `refillRate` after the first
 * `capacity` bytes.
 */
import { Transform } from 'node:stream'
import type { TransformCallback } from 'node:stream'

export interface FreeAllowanceInit {
  /** Bytes served at once before the refill rate applies */
  capacity: number
  /** Bytes per second the allowance refills */
  refillRate: number
}

export class FreeAllowance {
  private readonly init: FreeAllowanceInit
  private tokens: number
  private refilledAt = Date.now()

  constructor (init: FreeAllowanceInit) {
    this.init = init
    this.tokens = init.capacity
  }

  /**
   * Take `bytes` from the allowance; returns the milliseconds to wait
   * before they may go. What is taken past the allowance is owed, so the
   * visitors that come next wait behind it.
   */
  take (bytes: number): number {
    const wait = this.waitFor(bytes)
    this.tokens -= bytes
    return wait
  }

  /** Milliseconds until `bytes` of the allowance are there */
  waitFor (bytes: number): number {
    const missing = bytes - this.refill()

    if (missing <= 0) {
      return 0
    }

    return this.init.refillRate <= 0 ? Infinity : Math.ceil(missing * 1000 / this.init.refillRate)
  }

  private refill (): number {
    const now = Date.now()
    this.tokens = Math.min(this.init.capacity, this.tokens + (now - this.refilledAt) * this.init.refillRate / 1000)
    this.refilledAt = now
    return this.tokens
  }

  /** A stream that lets bytes through as the allowance allows; it fails once a wait would pass `maxWait` */
  pace (maxWait: number, onPass: (bytes: number) => void = () => {}): Transform {
    let timer: ReturnType<typeof setTimeout> | undefined

    return new Transform({
      transform: (chunk: Buffer, _encoding, callback: TransformCallback) => {
        const wait = this.take(chunk.byteLength)

        const pass = (): void => {
          onPass(chunk.byteLength)
          callback(null, chunk)
        }

        if (wait === 0) {
          pass()
        } else if (wait > maxWait) {
          // the visit ends here, and so does the allowance until it refills
          this.tokens = Math.min(0, this.tokens + chunk.byteLength)
          callback(new Error('the free allowance is used up'))
        } else {
          timer = setTimeout(pass, wait)
        }
      },
      destroy: (err, callback) => {
        clearTimeout(timer)
        callback(err)
      }
    })
  }
}
