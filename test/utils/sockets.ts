/**
 * The TCP sockets a process holds, read from /proc: its fds name socket
 * inodes, /proc/net/tcp{,6} give their addresses
 */
import fs from 'node:fs/promises'
import { expect } from 'aegir/chai'

export interface ProcessSocket {
  local: string
  remote: string
  listening: boolean
}

function ipv4 (hex: string): string {
  const bytes = Buffer.from(hex, 'hex')
  return [...bytes].reverse().join('.')
}

function ipv6 (hex: string): string {
  const words: string[] = []

  for (let i = 0; i < 32; i += 8) {
    const word = Buffer.from(hex.slice(i, i + 8), 'hex').reverse().toString('hex')
    words.push(word.slice(0, 4), word.slice(4))
  }

  return words.join(':')
}

function address (hex: string, v6: boolean): string {
  const [ip, port] = hex.split(':')
  return `${v6 ? ipv6(ip) : ipv4(ip)}:${parseInt(port, 16)}`
}

export async function socketsOf (pid: number): Promise<ProcessSocket[]> {
  const inodes = new Set<string>()

  for (const fd of await fs.readdir(`/proc/${pid}/fd`)) {
    const target = await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
    const match = /^socket:\[(\d+)\]$/.exec(target)

    if (match != null) {
      inodes.add(match[1])
    }
  }

  const sockets: ProcessSocket[] = []

  for (const [file, v6] of [['tcp', false], ['tcp6', true]] as const) {
    const rows = (await fs.readFile(`/proc/${pid}/net/${file}`, 'utf8')).trim().split('\n').slice(1)

    for (const row of rows) {
      const cols = row.trim().split(/\s+/)

      if (inodes.has(cols[9])) {
        sockets.push({ local: address(cols[1], v6), remote: address(cols[2], v6), listening: cols[3] === '0A' })
      }
    }
  }

  return sockets
}

export function isLoopbackAddress (hostPort: string): boolean {
  const host = hostPort.slice(0, hostPort.lastIndexOf(':'))

  return host.startsWith('127.') ||
    host === '0000:0000:0000:0000:0000:0000:0000:0001' ||
    host.startsWith('0000:0000:0000:0000:0000:ffff:7f')
}

/** Every TCP socket of process `pid` is on loopback, at both ends */
export async function expectLoopbackOnly (pid: number): Promise<void> {
  for (const socket of await socketsOf(pid)) {
    expect(isLoopbackAddress(socket.local), `local ${socket.local}`).to.be.true()

    if (!socket.listening) {
      expect(isLoopbackAddress(socket.remote), `remote ${socket.remote}`).to.be.true()
    }
  }
}
