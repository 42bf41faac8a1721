import { pipeline } from 'node:stream/promises'
import type { Duplex, Transform } from 'node:stream'

/**
 * Bytes both ways between a client and the server it reached, through
 * `answers` on the way back if given; it ends when the server's side has
 * been passed on whole, or either side fails. The client's side is piped,
 * not pipelined: a pipeline destroys both ends when the server closes once
 * it answered, and bytes of the answer still on their way (held by a
 * throttle, or unread) went with them.
 */
export async function join (client: Duplex, server: Duplex, answers?: Transform): Promise<void> {
  client.on('error', () => { server.destroy() })
  client.pipe(server)

  try {
    await (answers == null ? pipeline(server, client) : pipeline(server, answers, client))
  } finally {
    server.destroy()
  }
}
