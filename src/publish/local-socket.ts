import net from 'node:net'
import { SITE_CONNECT_TIMEOUT } from './constants.js'

/** A connection to a site's server on loopback, within SITE_CONNECT_TIMEOUT */
export async function connectLocal (port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error('timed out'))
    }, SITE_CONNECT_TIMEOUT)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve(socket)
    })
    socket.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
  })
}
