/**
 * TXT lookups: DNS over HTTPS (RFC 8484, POST of the wire-format query)
 * through the node's connector, or plain DNS over UDP to a server on this
 * machine (dnsmasq on loopback, say). tor resolves no TXT records, so in
 * onion mode DoH through tor is the only way out; plain DNS is for servers
 * whose packets never leave the machine.
 */
import { randomInt } from 'node:crypto'
import dgram from 'node:dgram'
import { isIP } from 'node:net'
import { AbortError, TimeoutError } from '@libp2p/interface'
import * as dnsPacket from 'dns-packet'
import { NameNotFoundError, NameServerError } from './errors.js'
import { post } from './http.js'
import type { Connector } from './http.js'
import type { AbortOptions } from '@libp2p/interface'
import type { DecodedPacket, StringAnswer, TxtAnswer as TxtAnswerRecord } from 'dns-packet'

/** A name's TXT records, each as its character strings, and how long they may be kept */
export interface TxtAnswer {
  records: string[][]
  /** Seconds, the least of the records' TTLs */
  ttl: number
}

export interface TxtSource {
  /** Throws NameNotFoundError for a name that does not exist */
  txt(name: string, options: AbortOptions & { timeout: number }): Promise<TxtAnswer>
}

/** Bytes of a DNS answer read at most */
const MAX_ANSWER_BYTES = 65_535

/** What we tell a server we can take over UDP (EDNS0), the size DNS flag day 2020 settled on */
const UDP_PAYLOAD_SIZE = 1232

/** CNAMEs followed at most within one answer */
const MAX_CNAMES = 8

const NOERROR = 0
const NXDOMAIN = 3

/** A DNS-over-HTTPS server: `https://host/dns-query` */
export function dohSource (url: URL, connect?: Connector): TxtSource {
  return {
    async txt (name, options) {
      // RFC 8484 §4.1: id 0, so identical queries can be cached
      const query = dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'TXT', name }] })
      const answer = await post(url, query, { ...options, contentType: 'application/dns-message', accept: 'application/dns-message', maxBytes: MAX_ANSWER_BYTES, connect })

      if (answer.status !== 200) {
        throw new NameServerError(url, `answered HTTP ${answer.status}`)
      }

      return readTxtAnswer(url, name, decode(url, answer.body))
    }
  }
}

/** A plain DNS server over UDP: `dns://127.0.0.1:5353` */
export function udpSource (url: URL): TxtSource {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = url.port === '' ? 53 : Number(url.port)

  if (isIP(host) === 0) {
    throw new NameServerError(url.href, 'is not an IP address: write dns://<address>:<port>')
  }

  return {
    async txt (name, options) {
      const id = randomInt(1, 65_536)
      const query = dnsPacket.encode({
        type: 'query',
        id,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type: 'TXT', name }],
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: UDP_PAYLOAD_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
      })
      const reply = await exchange(host, port, query, id, name, options)

      if (reply.flag_tc) {
        throw new NameServerError(url.href, `answered ${name} truncated: use DNS over HTTPS for names with this many records`)
      }

      return readTxtAnswer(url.href, name, reply)
    }
  }
}

/** Send `query`, wait for the reply with its id and question (anything else on the socket is dropped) */
async function exchange (host: string, port: number, query: Uint8Array, id: number, name: string, options: AbortOptions & { timeout: number }): Promise<DecodedPacket> {
  options.signal?.throwIfAborted()
  const socket = dgram.createSocket(isIP(host) === 6 ? 'udp6' : 'udp4')
  let timer: ReturnType<typeof setTimeout> | undefined
  let onAbort: (() => void) | undefined

  try {
    return await new Promise<DecodedPacket>((resolve, reject) => {
      timer = setTimeout(() => { reject(new TimeoutError(`dns://${host}:${port} did not answer within ${options.timeout} ms`)) }, options.timeout)
      onAbort = () => { reject(new AbortError(`the lookup of ${name} was aborted`)) }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      socket.once('error', reject)
      socket.on('message', (message, from) => {
        if (from.port !== port) {
          return
        }

        try {
          const reply = dnsPacket.decode(message)

          if (reply.id === id && reply.type === 'response' && reply.questions?.[0]?.name.toLowerCase() === name.toLowerCase()) {
            resolve(reply)
          }
        } catch {
          // not a reply to us
        }
      })
      socket.send(query, port, host)
    })
  } finally {
    clearTimeout(timer)

    if (onAbort != null) {
      options.signal?.removeEventListener('abort', onAbort)
    }

    socket.close()
  }
}

function decode (server: URL, body: Uint8Array): DecodedPacket {
  try {
    return dnsPacket.decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength))
  } catch (err: any) {
    throw new NameServerError(server, `answered what is not a DNS message (${err.message})`)
  }
}

/** The TXT records of `name` in `reply`, following the CNAMEs the reply holds */
function readTxtAnswer (server: URL | string, name: string, reply: DecodedPacket): TxtAnswer {
  const rcode = (reply.flags ?? 0) & 0xf

  if (rcode === NXDOMAIN) {
    throw new NameNotFoundError(name, 'no such name (NXDOMAIN)')
  }

  if (rcode !== NOERROR) {
    throw new NameServerError(server, `answered ${name} with DNS error ${rcode}`)
  }

  const answers = reply.answers ?? []
  const names = new Set([name.toLowerCase()])

  for (let i = 0; i < MAX_CNAMES; i++) {
    const alias = answers.find((answer): answer is StringAnswer => answer.type === 'CNAME' && names.has(answer.name.toLowerCase()) && !names.has(answer.data.toLowerCase()))

    if (alias == null) {
      break
    }

    names.add(alias.data.toLowerCase())
  }

  const txt = answers.filter((answer): answer is TxtAnswerRecord => answer.type === 'TXT' && names.has(answer.name.toLowerCase()))
  const decoder = new TextDecoder()

  return {
    records: txt.map(answer => (Array.isArray(answer.data) ? answer.data : [answer.data]).map(chunk => typeof chunk === 'string' ? chunk : decoder.decode(chunk))),
    ttl: txt.reduce((least, answer) => Math.min(least, answer.ttl ?? 0), txt.length === 0 ? 0 : Number.MAX_SAFE_INTEGER)
  }
}
