/**
 * A streamed RPC answer, as Kubo sends one: status 200 and headers first,
 * then the body as it is made. An error after the 200 must not look like a
 * complete answer. Kubo names it in the `X-Stream-Error` trailer, which a
 * client that says it reads trailers (`TE: trailers`) gets, the body then
 * ending cleanly; any other client (fetch never shows trailers) sees the
 * connection cut before the body's end, which it reports as an error.
 */
import { once } from 'node:events'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { Context } from 'hono'
import type { ServerResponse } from 'node:http'

export const STREAM_ERROR_TRAILER = 'X-Stream-Error'

export async function streamResponse (c: Context, source: AsyncIterable<Uint8Array>, headers: Record<string, string>): Promise<Response> {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing

  if (outgoing == null) {
    // not behind a Node.js server (an in-process app.request): a web stream, cut on error
    return c.body(toReadableStream(source), 200, headers)
  }

  const readsTrailers = /(^|,)\s*trailers\s*(,|$)/i.test(c.req.header('TE') ?? '')
  const iterator = source[Symbol.asyncIterator]()
  outgoing.writeHead(200, { ...headers, Trailer: STREAM_ERROR_TRAILER })
  outgoing.flushHeaders()

  try {
    while (!outgoing.destroyed) {
      const { value, done } = await iterator.next()

      if (done === true) {
        break
      }

      if (!outgoing.write(value)) {
        await Promise.race([once(outgoing, 'drain'), once(outgoing, 'close')])
      }
    }

    outgoing.end()
  } catch (err: any) {
    if (readsTrailers) {
      outgoing.addTrailers({ [STREAM_ERROR_TRAILER]: oneLine(err.message ?? String(err)) })
      outgoing.end()
    } else {
      outgoing.destroy(err)
    }
  } finally {
    // the client went away: stop making the body
    await iterator.return?.()
  }

  return RESPONSE_ALREADY_SENT
}

/**
 * A web stream pulling from an async iterable; cancelling it (the client went
 * away) ends the iterable
 */
export function toReadableStream (source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]()

  return new ReadableStream<Uint8Array>({
    async pull (controller) {
      const { value, done } = await iterator.next()

      if (done === true) {
        controller.close()
      } else {
        controller.enqueue(value)
      }
    },
    async cancel () {
      await iterator.return?.()
    }
  })
}

/** A header value: one line of printable text */
function oneLine (message: string): string {
  return message.replace(/[^\x20-\x7e]+/g, ' ').slice(0, 1000)
}
