/**
 * Writes that are on disk before they resolve: the payment books acknowledge
 * nothing to a peer before its record survives a crash. LevelDB's `sync`
 * write option fsyncs its log; datastore-level does not pass write options
 * through, so this goes to its database directly.
 */
import type { LevelDatastore } from 'datastore-level'

export interface SyncedStore {
  /** Apply every put and delete atomically, and fsync before resolving */
  write(puts: Array<[key: string, value: unknown]>, dels?: string[]): Promise<void>
  has(key: string): Promise<boolean>
  /** Every value under a key prefix, in key order */
  list<T>(prefix: string, options?: { gte?: string, lt?: string, reverse?: boolean, limit?: number }): AsyncGenerator<[key: string, value: T]>
}

export function levelSyncedStore (datastore: LevelDatastore): SyncedStore {
  const db = datastore.db

  return {
    async write (puts, dels = []) {
      await db.batch([
        ...puts.map(([key, value]) => ({ type: 'put' as const, key, value: encode(value) })),
        ...dels.map(key => ({ type: 'del' as const, key }))
      ], { sync: true })
    },

    async has (key) {
      return (await db.get(key)) !== undefined
    },

    async * list (prefix, options = {}) {
      const iterator = db.iterator({
        gte: options.gte ?? prefix,
        lt: options.lt ?? `${prefix}\xff`,
        reverse: options.reverse,
        limit: options.limit
      })

      try {
        for await (const [key, value] of iterator) {
          yield [key, decode(value)]
        }
      } finally {
        await iterator.close()
      }
    }
  }
}

/** JSON with bigints as `{"$n":"123"}` */
function encode (value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, (_, v) => typeof v === 'bigint' ? { $n: v.toString() } : v))
}

function decode (bytes: Uint8Array): any {
  return JSON.parse(new TextDecoder().decode(bytes), (_, v) => v != null && typeof v === 'object' && typeof v.$n === 'string' ? BigInt(v.$n) : v)
}
