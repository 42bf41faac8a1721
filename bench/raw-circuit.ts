/**
 * The physical limit of the devnet: raw bytes through onion circuits, with
 * no libp2p on either side. A loopback server sends a fixed number of bytes
 * to whoever connects; it is published as an onion service and read through
 * another tor's SocksPort.
 */
import crypto from 'node:crypto'
import net from 'node:net'
import { socksConnect } from '../src/transport/socks.js'
import type { ManagedTor } from '../src/transport/index.js'

const PIECE = crypto.randomBytes(1024 * 1024)

export interface ByteSource {
  port: number
  close(): void
}

/** A loopback server that writes `size` bytes to each connection, then ends it */
export async function serveBytes (size: number): Promise<ByteSource> {
  const server = net.createServer(socket => {
    let left = size
    const write = (): void => {
      while (left > 0) {
        const piece = PIECE.subarray(0, Math.min(PIECE.byteLength, left))
        left -= piece.byteLength

        if (!socket.write(piece)) {
          socket.once('drain', write)
          return
        }
      }

      socket.end()
    }
    socket.on('error', () => {})
    write()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))

  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() }
}

/**
 * Publish `target` as an onion service and wait for its descriptor upload;
 * returns the service id and the milliseconds the upload took
 */
export async function publish (tor: Pick<ManagedTor, 'control'>, target: number, virtualPort: number): Promise<{ serviceId: string, uploadMs: number }> {
  const start = performance.now()
  let serviceId = ''
  const control = tor.control
  const uploaded = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('no descriptor upload within 60 s')) }, 60_000)
    const onDesc = (evt: CustomEvent<{ action: string, address: string }>): void => {
      if (evt.detail.action === 'UPLOADED' && evt.detail.address === serviceId) {
        clearTimeout(timer)
        control.removeEventListener('hs-desc', onDesc)
        resolve()
      }
    }
    control.addEventListener('hs-desc', onDesc)
  })
  serviceId = (await control.addOnion({ ports: [{ virtualPort, target: `127.0.0.1:${target}` }] })).serviceId
  await uploaded

  return { serviceId, uploadMs: performance.now() - start }
}

/** Read an onion service to its end through tor's SocksPort; returns the bytes read */
export async function readAll (tor: ManagedTor, serviceId: string, port: number, isolation: string): Promise<number> {
  const socket = await socksConnect({ proxy: tor.socks, destination: { host: `${serviceId}.onion`, port }, timeout: 120_000, isolation })
  socket.setTimeout(60_000, () => socket.destroy(new Error('no bytes for 60 s')))
  let bytes = 0

  for await (const chunk of socket) {
    bytes += (chunk as Buffer).byteLength
  }

  return bytes
}
