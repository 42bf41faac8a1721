/**
 * A DNS server on loopback for TXT records (dnsmasq, Debian's
 * dnsmasq-base), no upstream: a name it holds answers its records, an
 * unknown name under its domain NXDOMAIN. What `devnet up --sample` names
 * its sample site with, and TXT lookups are tested against.
 */
import { spawn } from 'node:child_process'
import dgram from 'node:dgram'
import * as dnsPacket from 'dns-packet'
import { PortAllocator } from './ports.js'

export interface DnsServer {
  /** `dns://127.0.0.1:<port>` */
  url: string
  port: number
  pid: number
  stop(): Promise<void>
}

/**
 * dnsmasq serving `records` (each the character strings of one TXT record:
 * a name may have several) for names under `domain`. dnsmasq splits the
 * strings of a record at commas, quoted or not: none may hold one
 */
export async function startDnsmasq (domain: string, records: Array<{ name: string, strings: string[] }>): Promise<DnsServer> {
  const port = await new PortAllocator().next()
  const child = spawn('dnsmasq', [
    '-k', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
    // as root it would switch to a user "nobody" that may not exist
    ...(process.getuid?.() === 0 ? ['--user=root'] : []),
    '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${port}`, `--local=/${domain}/`,
    ...records.map(record => `--txt-record=${[record.name, ...record.strings].join(',')}`)
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  let failed: Error | undefined
  child.stderr.on('data', (chunk) => { stderr += String(chunk) })
  // not installed: say how to get it
  child.once('error', (err: NodeJS.ErrnoException) => {
    failed = err.code === 'ENOENT' ? new Error('dnsmasq is not installed: install it (`apt-get install dnsmasq-base` on Debian or Ubuntu)') : err
  })
  const exited = new Promise<void>(resolve => child.once('exit', () => { resolve() }))

  // it answers once it listens: probe for 10 s at most
  for (let tries = 0; !await answers(port); tries++) {
    if (failed != null) {
      throw failed
    }

    if (child.exitCode != null || tries >= 200) {
      child.kill('SIGKILL')
      throw new Error(child.exitCode != null ? `dnsmasq exited: ${stderr.trim()}` : 'dnsmasq did not answer within 10 s')
    }

    await new Promise(resolve => setTimeout(resolve, 50))
  }

  return {
    url: `dns://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    async stop () {
      child.kill('SIGTERM')
      await exited
    }
  }
}

async function answers (port: number): Promise<boolean> {
  const socket = dgram.createSocket('udp4')

  try {
    return await new Promise<boolean>(resolve => {
      const timer = setTimeout(() => { resolve(false) }, 200)
      socket.once('message', () => { clearTimeout(timer); resolve(true) })
      socket.once('error', () => { clearTimeout(timer); resolve(false) })
      socket.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'TXT', name: 'probe.invalid' }] }), port, '127.0.0.1')
    })
  } finally {
    socket.close()
  }
}
