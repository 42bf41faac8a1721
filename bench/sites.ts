/**
 * A published site over onion, three ways, on a private tor network with
 * the local ledger (`npm run bench:sites`):
 *
 * - by name through the client node's proxy: the name resolved (TXT from
 *   dnsmasq on loopback), a site tunnel over libp2p on the onion, metered,
 *   billed and paid at the default price
 * - a raw circuit: bytes from a loopback server published as an onion
 *   service on the publisher's tor, read through the client's tor, no HTTP
 *   and no libp2p (the ceiling of the path)
 * - plain onion HTTP: the same site as a stock Tor Browser gets it, port 80
 *   of the publisher's onion through the client's tor (Publish.PlainOnion,
 *   with an allowance big enough not to throttle)
 *
 * Each round fetches FILE MiB each way, in turn; time to first byte (from
 * the request, connection included) and throughput, medians over the rounds,
 * and the proxy's over the other two as ratios.
 *
 * Usage: npm run bench:sites [-- --mib 64 --rounds 3]
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { startProxy } from '../src/api/proxy.js'
import { toApiSettings } from '../src/config/index.js'
import { startDnsmasq } from '../src/devnet/dnsmasq.js'
import { TorNetwork } from '../src/devnet/tor-network.js'
import { PLAIN_ONION_PORT } from '../src/publish/index.js'
import { socksConnect } from '../src/transport/socks.js'
import { createOnionPaidRepo, startNode, startPaymentLedger } from '../test/utils/payments.js'
import { argument } from './arguments.js'
import { publish, serveBytes } from './raw-circuit.js'
import type { Readable } from 'node:stream'

const MiB = 1024 * 1024
const SIZE = argument('--mib', 64) * MiB
const ROUNDS = argument('--rounds', 3)
const NAME = 'torplus.bench.site.test'

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

interface Fetch {
  /** Milliseconds from the request to the first byte of the body (or of the stream) */
  ttfb: number
  /** MiB/s over the whole fetch */
  rate: number
}

/** Read `body` to its end, timing from `began`; throws unless it held `size` bytes */
async function timed (began: number, body: Readable, size: number): Promise<Fetch> {
  let first = 0
  let bytes = 0

  for await (const chunk of body) {
    first ||= performance.now()
    bytes += (chunk as Buffer).byteLength
  }

  if (bytes < size) {
    throw new Error(`got ${bytes} bytes of ${size}`)
  }

  const seconds = (performance.now() - began) / 1000
  return { ttfb: first - began, rate: bytes / MiB / seconds }
}

async function main (): Promise<void> {
  const dir = path.join(os.tmpdir(), `torplus-bench-sites-${process.pid}`)
  const network = new TorNetwork({ dir: path.join(dir, 'network'), logger: defaultLogger() })
  await network.start()
  const ledger = await startPaymentLedger()
  const cleanup: Array<() => Promise<unknown>> = [async () => network.stop(), async () => ledger.local.stop()]

  try {
    const publisher = await startNode(await createOnionPaidRepo(ledger, network, {
      Publish: { PlainAllowance: `${4 * ROUNDS * SIZE}`, PlainRefillRate: 0 }
    }))
    cleanup.unshift(async () => publisher.stop())
    const dns = await startDnsmasq('site.test', [{ name: NAME, strings: [`torplus=${publisher.repo.onionKey.serviceId}.onion`] }])
    cleanup.unshift(async () => dns.stop())
    const client = await startNode(await createOnionPaidRepo(ledger, network, { Names: { Dns: [dns.url] } }))
    cleanup.unshift(async () => client.stop())
    const proxy = await startProxy(client.node, toApiSettings(client.repo.config))
    cleanup.unshift(async () => proxy.close())

    const site = path.join(dir, 'www')
    await fs.mkdir(site, { recursive: true })
    await fs.writeFile(path.join(site, 'file.bin'), crypto.randomBytes(SIZE))
    await fs.writeFile(path.join(site, 'small.html'), crypto.randomBytes(1024).toString('hex'))
    await publisher.node.services.sites.publish({ dir: site, name: NAME })

    const bytes = await serveBytes(SIZE)
    cleanup.unshift(async () => { bytes.close() })
    const publisherTor = publisher.node.tor
    const clientTor = client.node.tor

    if (publisherTor == null || clientTor == null) {
      throw new Error('the nodes run no tor')
    }

    const raw = await publish(publisherTor, bytes.port, 80)
    const onion = `${publisher.repo.onionKey.serviceId}.onion`
    const [proxyHost, proxyPort] = proxy.address.split(':')

    const viaProxy = async (file = 'file.bin', size = SIZE): Promise<Fetch> => {
      const began = performance.now()
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http.get({ host: proxyHost, port: Number(proxyPort), path: `http://${NAME}/${file}`, signal: AbortSignal.timeout(600_000) }, resolve).once('error', reject)
      })
      return timed(began, response, size)
    }

    const viaRaw = async (round: number): Promise<Fetch> => {
      const began = performance.now()
      const socket = await socksConnect({ proxy: clientTor.socks, destination: { host: `${raw.serviceId}.onion`, port: 80 }, timeout: 120_000, isolation: `raw-${round}` })
      return timed(began, socket, SIZE)
    }

    const viaPlainOnion = async (round: number | string, file = 'file.bin', size = SIZE): Promise<Fetch> => {
      const began = performance.now()
      const socket = await socksConnect({ proxy: clientTor.socks, destination: { host: onion, port: PLAIN_ONION_PORT }, timeout: 120_000, isolation: `plain-${round}` })
      socket.write(`GET /${file} HTTP/1.1\r\nHost: ${onion}\r\nConnection: close\r\n\r\n`)
      // headers included: a few hundred bytes on 64 MiB
      return timed(began, socket, size)
    }

    // the plain port joins the onion in the background: wait for its descriptor
    const deadline = Date.now() + 120_000
    for (;;) {
      try {
        await viaPlainOnion(-1)
        break
      } catch (err) {
        if (Date.now() > deadline) {
          throw err
        }
        await new Promise(resolve => setTimeout(resolve, 2_000))
      }
    }

    const results: Record<string, Fetch[]> = { proxy: [], raw: [], plain: [] }

    for (let round = 0; round < ROUNDS; round++) {
      results.proxy.push(await viaProxy())
      results.raw.push(await viaRaw(round))
      results.plain.push(await viaPlainOnion(round))
      console.info(`round ${round + 1}: ${Object.entries(results).map(([way, fetches]) => `${way} ${fetches[round].ttfb.toFixed(0)} ms, ${fetches[round].rate.toFixed(2)} MiB/s`).join('; ')}`)
    }

    // a small page, where the time to the first byte is all there is
    const small: Record<string, number[]> = { proxy: [], plain: [] }

    for (let i = 0; i < 5; i++) {
      small.proxy.push((await viaProxy('small.html', 2048)).ttfb)
      small.plain.push((await viaPlainOnion('small', 'small.html', 2048)).ttfb)
    }

    const ttfb = (way: string): number => median(results[way].map(fetch => fetch.ttfb))
    const rate = (way: string): number => median(results[way].map(fetch => fetch.rate))
    console.info(`\n${SIZE / MiB} MiB, ${ROUNDS} rounds, medians`)
    console.info('| way | time to first byte | throughput |')
    console.info('|---|---|---|')

    for (const [way, label] of [['proxy', 'by name through the proxy (paid)'], ['raw', 'raw circuit'], ['plain', 'plain onion HTTP']]) {
      console.info(`| ${label} | ${ttfb(way).toFixed(0)} ms | ${rate(way).toFixed(2)} MiB/s |`)
    }

    console.info(`proxy / raw circuit: throughput ${(rate('proxy') / rate('raw')).toFixed(2)}, time to first byte ${(ttfb('proxy') / ttfb('raw')).toFixed(2)}`)
    console.info(`proxy / plain onion HTTP: throughput ${(rate('proxy') / rate('plain')).toFixed(2)}, time to first byte ${(ttfb('proxy') / ttfb('plain')).toFixed(2)}`)
    console.info(`a 2 KiB page, 5 times each, median time to first byte: proxy ${median(small.proxy).toFixed(0)} ms, plain onion HTTP ${median(small.plain).toFixed(0)} ms (its circuit reused)`)
    const paid = client.payments.peers().find(peer => peer.peer === publisher.node.helia.libp2p.peerId.toString())?.toPeer?.paid ?? 0n
    console.info(`the client paid the publisher ${paid} stroops for ${ROUNDS * SIZE / MiB} MiB through the proxy`)
  } finally {
    for (const step of cleanup) {
      await step().catch(() => {})
    }
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err)
  process.exit(1)
})
