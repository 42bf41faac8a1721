/**
 * Register libp2p stream middleware safely on libp2p 3.3 (see below)
 */
import type { Connection, Stream, StreamMiddleware } from '@libp2p/interface'

/**
 * libp2p 3.3 appends the protocol handler to the registered middleware array
 * on every inbound stream, so the array grows and later streams, outbound ones
 * too, run stale handlers. The guard is the only registered entry: it trims
 * whatever was appended, synchronously, runs the given middleware, then, for
 * an inbound stream, the handler that was just appended (each appended entry
 * wraps the same registered handler, so the newest is exact). The registrar's
 * loop then finds nothing after the guard. With a fixed libp2p nothing is
 * appended to our array and the guard simply passes on.
 */
export function guardedMiddleware (middleware: StreamMiddleware[]): StreamMiddleware[] {
  const registered: StreamMiddleware[] = []

  const guard: StreamMiddleware = async (stream, connection, next) => {
    const appended = registered.length > 1 ? registered[registered.length - 1] : undefined
    registered.length = 1

    for (const mw of [...middleware, ...(stream.direction === 'inbound' && appended != null ? [appended] : [])]) {
      [stream, connection] = await runOne(mw, stream, connection)
    }

    next(stream, connection)
  }

  registered.push(guard)

  return registered
}

async function runOne (mw: StreamMiddleware, stream: Stream, connection: Connection): Promise<[Stream, Connection]> {
  return new Promise((resolve, reject) => {
    try {
      const result = mw(stream, connection, (s, c) => { resolve([s, c]) })

      if (result instanceof Promise) {
        result.catch((err: Error) => { reject(err) })
      }
    } catch (err: any) {
      reject(err as Error)
    }
  })
}
