/**
 * A libp2p stream as a Node.js Duplex, so a site's tunnel pipes to a TCP
 * socket and serves as the connection of an HTTP request, with
 * backpressure both ways and half-close: the remote end closing for
 * writing ends the readable side (once all it sent is read), ending the
 * writable side closes ours
 */
import { Duplex } from 'node:stream'
import type { Stream, StreamMessageEvent } from '@libp2p/interface'

export function streamToDuplex (stream: Stream, options: { onData?(bytes: number): void } = {}): Duplex {
  // ours, not the stream's readStatus: a muxer's wrapper may not carry it
  let paused = false
  const duplex = new Duplex({
    read () {
      if (paused) {
        paused = false

        try {
          stream.resume()
        } catch {
          // closed meanwhile: 'close' ends the duplex
        }
      }
    },
    write (chunk: Uint8Array, _, callback) {
      try {
        if (stream.send(chunk)) {
          callback()
        } else {
          stream.onDrain().then(() => { callback() }, callback)
        }
      } catch (err: any) {
        callback(err)
      }
    },
    final (callback) {
      stream.close().then(() => { callback() }, callback)
    },
    destroy (err, callback) {
      if (stream.status === 'open') {
        stream.abort(err ?? new Error('the tunnel was closed'))
      }

      callback(err)
    }
  })

  stream.addEventListener('message', (evt: StreamMessageEvent) => {
    options.onData?.(evt.data.byteLength)

    if (!duplex.push(evt.data.subarray()) && !paused) {
      try {
        stream.pause()
        paused = true
      } catch {
        // closing: nothing more will come
      }
    }
  })
  // the remote closed for writing and everything it sent was read
  stream.addEventListener('end', () => { duplex.push(null) })
  stream.addEventListener('close', (evt) => {
    const error = (evt as Event & { error?: Error }).error

    if (error != null) {
      duplex.destroy(error)
    } else {
      duplex.push(null)
    }
  })

  return duplex
}
