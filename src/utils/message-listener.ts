/**
 * Watch what a protocol handler reads from a stream, without reading it
 * ourselves: libp2p 3 streams buffer data only while no 'message' listener
 * is attached, so an extra listener would drain the buffer and the handler
 * would miss what came first. Instead, the first 'message' listener added
 * after the middleware ran (the handler's reader) is wrapped.
 */
import type { Stream, StreamMessageEvent } from '@libp2p/interface'

export interface MessageListener { (evt: StreamMessageEvent): void }

/**
 * Wrap the stream's first 'message' listener: `wrap` gets it and returns
 * what is attached in its place
 */
export function wrapFirstMessageListener (stream: Stream, wrap: (listener: MessageListener) => MessageListener): void {
  const addEventListener = stream.addEventListener.bind(stream)
  const removeEventListener = stream.removeEventListener.bind(stream)
  const wrapped = new Map<unknown, MessageListener>()

  stream.addEventListener = ((type: string, listener: MessageListener, options?: AddEventListenerOptions) => {
    if (type !== 'message' || wrapped.size > 0 || listener == null) {
      addEventListener(type as any, listener as any, options)
      return
    }

    const outer = wrap(listener)
    wrapped.set(listener, outer)
    addEventListener('message', outer as any, options)
  }) as Stream['addEventListener']

  stream.removeEventListener = ((type: string, listener: MessageListener, options?: EventListenerOptions) => {
    removeEventListener(type as any, (type === 'message' ? wrapped.get(listener) ?? listener : listener) as any, options)
  }) as Stream['removeEventListener']
}
