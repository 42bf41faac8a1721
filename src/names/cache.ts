/**
 * Answers by name, each until its TTL, and one lookup in flight per name:
 * callers asking while it runs share it, each with its own signal. Bounded
 * in names kept and in lookups running at once.
 */
import { raceSignal } from 'race-signal'
import { setNewest } from '../utils/bounded-map.js'
import { NameLookupUnavailableError } from './errors.js'
import type { AbortOptions } from '@libp2p/interface'

export interface Answer<T> {
  value: T
  /** Seconds it may be kept */
  ttl: number
}

interface Entry<T> {
  answer: { value: T } | { error: Error }
  expires: number
}

export interface TtlCacheInit {
  maxEntries: number
  maxInFlight: number
  /** Seconds an error the lookup marks as lasting (`cacheable`) is kept */
  errorTtl: number
  cacheable(err: Error): boolean
}

export class TtlCache<T> {
  private readonly entries = new Map<string, Entry<T>>()
  private readonly inFlight = new Map<string, Promise<T>>()
  private readonly init: TtlCacheInit

  constructor (init: TtlCacheInit) {
    this.init = init
  }

  /** The kept answer for `key`, else what `lookup` finds (shared with whoever asks meanwhile) */
  async get (key: string, lookup: () => Promise<Answer<T>>, options: AbortOptions = {}): Promise<T> {
    const kept = this.entries.get(key)

    if (kept != null) {
      if (kept.expires > Date.now()) {
        if ('error' in kept.answer) {
          throw kept.answer.error
        }

        return kept.answer.value
      }

      this.entries.delete(key)
    }

    let running = this.inFlight.get(key)

    if (running == null) {
      if (this.inFlight.size >= this.init.maxInFlight) {
        throw new NameLookupUnavailableError(`${this.inFlight.size} name lookups are running: try again in a moment`)
      }

      running = this.run(key, lookup)
      this.inFlight.set(key, running)
      running.catch(() => {}).finally(() => { this.inFlight.delete(key) })
    }

    return raceSignal(running, options.signal)
  }

  /** Forget every answer */
  clear (): void {
    this.entries.clear()
  }

  get size (): number {
    return this.entries.size
  }

  private async run (key: string, lookup: () => Promise<Answer<T>>): Promise<T> {
    try {
      const answer = await lookup()
      this.keep(key, { value: answer.value }, answer.ttl)
      return answer.value
    } catch (err: any) {
      if (this.init.cacheable(err)) {
        this.keep(key, { error: err }, this.init.errorTtl)
      }

      throw err
    }
  }

  private keep (key: string, answer: Entry<T>['answer'], ttl: number): void {
    // the oldest answer goes first
    setNewest(this.entries, key, { answer, expires: Date.now() + ttl * 1000 }, this.init.maxEntries)
  }
}
