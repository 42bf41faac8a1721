/**
 * A real daemon driven through the unmodified kubo-rpc-client, the CLI, the
 * gateway and the metrics endpoint
 */
import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { expect } from 'aegir/chai'
import all from 'it-all'
import { CID } from 'multiformats/cid'
import pWaitFor from 'p-wait-for'
import { concat } from 'uint8arrays/concat'
import { BIN, torplus } from '../utils/cli.js'
import { startDaemon } from '../utils/daemon.js'
import { createRepo, tempDir } from '../utils/repo.js'
import type { RunningDaemon } from '../utils/daemon.js'

describe('daemon', function () {
  this.timeout(120_000)
  let daemon: RunningDaemon
  let content: Uint8Array
  let fileCid: CID

  before(async () => {
    daemon = await startDaemon(await createRepo({ Gateway: { RetrievalTimeout: 2_000 } }))
    content = crypto.randomBytes(2 * 1024 * 1024 + 100)
    const added = await daemon.client.add({ path: 'data.bin', content })
    fileCid = added.cid
  })

  after(async () => {
    await daemon?.stop()
  })

  it('prints its peer id, listen addresses and URLs', () => {
    expect(daemon.peerId).to.match(/^12D3Koo/)
    expect(daemon.multiaddrs[0]).to.match(new RegExp(`^/ip4/127.0.0.1/tcp/\\d+/p2p/${daemon.peerId}$`))
    expect(daemon.apiUrl).to.match(/^http:\/\/127.0.0.1:\d+$/)
    expect(daemon.gatewayUrl).to.match(/^http:\/\/127.0.0.1:\d+$/)
    expect(daemon.output()).to.include('/debug/metrics/prometheus')
  })

  describe('kubo-rpc-client', () => {
    it('id and version', async () => {
      const id = await daemon.client.id()
      expect(id.id.toString()).to.equal(daemon.peerId)
      expect(id.addresses.map(String)).to.deep.equal(daemon.multiaddrs)
      expect(id.agentVersion).to.match(/^torplus\//)

      const version = await daemon.client.version()
      expect(version.version).to.match(/^\d+\.\d+\.\d+/)
    })

    it('add, cat with range, get as tar', async () => {
      expect(concat(await all(daemon.client.cat(fileCid)))).to.equalBytes(content)
      expect(concat(await all(daemon.client.cat(fileCid, { offset: 5, length: 10 })))).to.equalBytes(content.subarray(5, 15))

      const entries = await all(daemon.client.addAll([
        { path: 'dir/one.txt', content: new TextEncoder().encode('one') },
        { path: 'dir/two.txt', content: new TextEncoder().encode('two') }
      ], { wrapWithDirectory: true }))
      expect(entries.map(entry => entry.path)).to.include.members(['dir/one.txt', 'dir/two.txt', 'dir', ''])

      const wrapper = entries.find(entry => entry.path === '')
      const tar = concat(await all(daemon.client.get(`/ipfs/${wrapper?.cid}/dir`)))
      expect(new TextDecoder().decode(tar)).to.include('dir/one.txt').and.to.include('dir/two.txt')

      const progress: number[] = []
      await daemon.client.add(crypto.randomBytes(300_000), { progress: (bytes) => { progress.push(bytes) } })
      expect(progress[progress.length - 1]).to.equal(300_000)
    })

    it('pin add, ls, rm', async () => {
      const cid = (await daemon.client.add('to pin', { pin: false })).cid
      const pinned = await all(daemon.client.pin.addAll([{ cid }]))
      expect(pinned.map(String)).to.deep.equal([cid.toString()])

      const pins = await all(daemon.client.pin.ls())
      expect(pins.map(pin => pin.cid.toString())).to.include(cid.toString())
      expect((await all(daemon.client.pin.ls({ paths: [cid] })))[0].type).to.equal('recursive')

      expect((await all(daemon.client.pin.rmAll([{ cid }]))).map(String)).to.deep.equal([cid.toString()])
      await expect(daemon.client.pin.rm(cid)).to.eventually.be.rejected.with.property('message').that.matches(/is not pinned/)
    })

    it('repo stat and gc', async () => {
      const cid = (await daemon.client.add('garbage', { pin: false })).cid
      const before = await daemon.client.repo.stat()
      expect(before.storageMax).to.equal(10_000_000_000n)

      const removed = await all(daemon.client.repo.gc())
      expect(removed.map(r => r.cid?.multihash.bytes.toString())).to.include(cid.multihash.bytes.toString())

      const after = await daemon.client.repo.stat()
      expect(after.numObjects).to.equal(before.numObjects - BigInt(removed.length))
      await expect(daemon.client.pin.add(fileCid)).to.eventually.be.ok()
    })

    it('config get, set, show', async () => {
      expect(await daemon.client.config.get('Datastore.StorageMax')).to.equal('10GB')
      await daemon.client.config.set('Datastore.StorageMax', '12GB')
      expect(await daemon.client.config.get('Datastore.StorageMax')).to.equal('12GB')
      await daemon.client.config.set('Swarm.ConnMgr.HighWater', 150)
      expect((await daemon.client.config.getAll()).Swarm).to.have.nested.property('ConnMgr.HighWater', 150)

      await expect(daemon.client.config.set('Nope.Key', 1)).to.eventually.be.rejected
        .with.property('message', 'unknown config key "Nope.Key": run `torplus config show` to list the keys')

      const saved = JSON.parse(await fs.readFile(path.join(daemon.repo, 'config'), 'utf8'))
      expect(saved.Datastore.StorageMax).to.equal('12GB')
    })

    it('stats bw, swarm peers, swarm connect and swarm disconnect', async () => {
      const [bw] = await all(daemon.client.stats.bw())
      expect(bw.totalIn).to.be.a('bigint')

      // no DHT: its upkeep would dial the peer straight back after the disconnect
      const other = await startDaemon(await createRepo({ Routing: { Type: 'none' } }))

      try {
        await daemon.client.swarm.connect(other.multiaddrs[0] as any)
        const peers = await daemon.client.swarm.peers()
        expect(peers.map(peer => peer.peer.toString())).to.include(other.peerId)

        const [after] = await all(daemon.client.stats.bw())
        expect(after.totalOut > 0n).to.be.true()

        await daemon.client.swarm.disconnect(other.multiaddrs[0] as any)
        expect((await daemon.client.swarm.peers()).map(peer => peer.peer.toString())).to.not.include(other.peerId)
        await expect(daemon.client.swarm.disconnect(other.multiaddrs[0] as any)).to.eventually.be.rejected
          .with.property('message', `not connected to ${other.peerId}`)
      } finally {
        await other.stop()
      }

      await expect(daemon.client.swarm.connect('/ip4/127.0.0.1/tcp/1' as any)).to.eventually.be.rejected
        .with.property('message').that.matches(/no \/p2p\/<peer id> part/)
    })

    it('errors in the Kubo shape', async () => {
      const response = await fetch(`${daemon.apiUrl}/api/v0/cat?arg=nonsense`, { method: 'POST' })
      expect(response.status).to.equal(400)
      expect(await response.json()).to.deep.include({ Code: 1, Type: 'error' })
    })
  })

  describe('RPC API protections', () => {
    it('answers 405 to anything but POST', async () => {
      const response = await fetch(`${daemon.apiUrl}/api/v0/id`)
      expect(response.status).to.equal(405)
      expect(response.headers.get('allow')).to.equal('OPTIONS, POST')
    })

    it('refuses a foreign Origin', async () => {
      const foreign = await fetch(`${daemon.apiUrl}/api/v0/id`, { method: 'POST', headers: { Origin: 'http://evil.example' } })
      expect(foreign.status).to.equal(403)

      const own = await fetch(`${daemon.apiUrl}/api/v0/id`, { method: 'POST', headers: { Origin: daemon.apiUrl } })
      expect(own.status).to.equal(200)
    })
  })

  describe('gateway', () => {
    it('serves raw blocks, CARs and plain files', async () => {
      const rawResponse = await fetch(`${daemon.gatewayUrl}/ipfs/${fileCid}`, { headers: { Accept: 'application/vnd.ipld.raw' } })
      expect(rawResponse.status).to.equal(200)
      expect(rawResponse.headers.get('content-type')).to.equal('application/vnd.ipld.raw')
      const block = new Uint8Array(await rawResponse.arrayBuffer())
      const { sha256 } = await import('multiformats/hashes/sha2')
      expect((await sha256.digest(block)).bytes).to.equalBytes(fileCid.multihash.bytes)

      const car = await fetch(`${daemon.gatewayUrl}/ipfs/${fileCid}`, { headers: { Accept: 'application/vnd.ipld.car' } })
      expect(car.status).to.equal(200)
      expect(car.headers.get('content-type')).to.match(/^application\/vnd.ipld.car/)
      expect((await car.arrayBuffer()).byteLength).to.be.greaterThan(content.byteLength)

      const file = await fetch(`${daemon.gatewayUrl}/ipfs/${fileCid}`)
      expect(file.status).to.equal(200)
      expect(new Uint8Array(await file.arrayBuffer())).to.equalBytes(content)
    })

    it('answers 400 for a malformed CID and 404 for a missing path', async () => {
      const bad = await fetch(`${daemon.gatewayUrl}/ipfs/not-a-cid`)
      expect(bad.status).to.equal(400)
      expect(await bad.text()).to.match(/"not-a-cid" is not a valid CID/)

      const dir = (await daemon.client.add({ path: 'd/x.txt', content: new TextEncoder().encode('x') }, { wrapWithDirectory: true })).cid
      const missing = await fetch(`${daemon.gatewayUrl}/ipfs/${dir}/nope.txt`)
      expect(missing.status).to.equal(404)

      const nothing = await fetch(`${daemon.gatewayUrl}/elsewhere`)
      expect(nothing.status).to.equal(404)
    })

    it('answers 504 when no peer supplies the content within Gateway.RetrievalTimeout', async () => {
      const unknown = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
      // a gateway that waited past its timeout would leave this fetch to be aborted
      const response = await fetch(`${daemon.gatewayUrl}/ipfs/${unknown}`, { headers: { Accept: 'application/vnd.ipld.raw' }, signal: AbortSignal.timeout(15_000) })

      expect(response.status).to.equal(504)
      expect(await response.text()).to.match(/was not retrieved within 2000 ms/)
    })
  })

  it('serves Prometheus metrics at Kubo\'s path', async () => {
    const response = await fetch(`${daemon.apiUrl}/debug/metrics/prometheus`)
    const text = await response.text()

    expect(response.status).to.equal(200)
    expect(text).to.match(/^torplus_repo_blocks \d+$/m)
    expect(text).to.match(/^torplus_repo_size_bytes \d+$/m)
    expect(text).to.match(/^torplus_bitswap_bytes_sent_total \d+$/m)
    expect(text).to.match(/^torplus_bitswap_bytes_received_total \d+$/m)
    expect(text).to.match(/^libp2p_/m)
  })

  describe('the CLI uses the running daemon', () => {
    it('for reads and writes', async () => {
      const added = await torplus(['add', '-q'], { repo: daemon.repo, input: 'through the daemon' })
      expect(added.code, added.stderr).to.equal(0)
      const cid = added.stdout.trim()

      const pins = await all(daemon.client.pin.ls({ paths: [CID.parse(cid)] }))
      expect(pins.map(pin => pin.cid.toString())).to.deep.equal([cid])
      expect((await torplus(['cat', cid], { repo: daemon.repo })).stdout).to.equal('through the daemon')
      expect(JSON.parse((await torplus(['id'], { repo: daemon.repo })).stdout).Addresses).to.deep.equal(daemon.multiaddrs)
    })

    it('for swarm and stats', async () => {
      // no DHT: its upkeep would dial the peer straight back after the disconnect
      const other = await startDaemon(await createRepo({ Routing: { Type: 'none' } }))

      try {
        const connect = await torplus(['swarm', 'connect', other.multiaddrs[0]], { repo: daemon.repo })
        expect(connect.stdout).to.equal(`connect ${other.peerId} success\n`)

        const peers = await torplus(['swarm', 'peers'], { repo: daemon.repo })
        expect(peers.stdout).to.include(`/p2p/${other.peerId}`)
        expect(JSON.parse((await torplus(['swarm', 'peers', '--enc=json'], { repo: daemon.repo })).stdout).Peers.map((p: any) => p.Peer)).to.include(other.peerId)

        const bw = await torplus(['stats', 'bw'], { repo: daemon.repo })
        expect(bw.stdout).to.match(/^Bandwidth\nTotalIn: .+\nTotalOut: .+\nRateIn: .+\/s\nRateOut: .+\/s\n$/)
        const json = JSON.parse((await torplus(['stats', 'bw', '--enc=json'], { repo: daemon.repo })).stdout)
        expect(json.TotalOut).to.be.greaterThan(0)

        const polled = await torplus(['stats', 'bw', '--poll', '--interval', '200ms', '--timeout', '1s', '--enc=json'], { repo: daemon.repo })
        expect(polled.code).to.equal(0)
        expect(polled.stdout.trim().split('\n').length).to.be.at.least(2)

        const disconnect = await torplus(['swarm', 'disconnect', `/p2p/${other.peerId}`], { repo: daemon.repo })
        expect(disconnect.stdout).to.equal(`disconnect ${other.peerId} success\n`)
        expect((await torplus(['swarm', 'peers'], { repo: daemon.repo })).stdout).to.not.include(other.peerId)

        const bad = await torplus(['swarm', 'connect', '/ip4/127.0.0.1/tcp/1/p2p/not-a-peer'], { repo: daemon.repo })
        expect(bad.code).to.equal(1)
        expect(bad.stderr).to.match(/^Error: .*does not end in a valid peer id/)
      } finally {
        await other.stop()
      }
    })

    it('for frequency top and ask, and fill: local demand (cat, the gateway) apart from peers\', kept after the daemon stops; another node\'s list; fill rounds and their history', async () => {
      const repo = await createRepo({ Frequency: { SketchWidth: 16_384, TopK: 1000 } })
      const other = await startDaemon(repo)
      let cid = ''

      try {
        cid = (await torplus(['add', '-q'], { repo, input: 'asked for locally' })).stdout.trim()
        await torplus(['cat', cid], { repo })
        expect((await fetch(`${other.gatewayUrl}/ipfs/${cid}`)).status).to.equal(200)

        const local = JSON.parse((await torplus(['frequency', 'top', '--local', '--enc=json'], { repo })).stdout)
        expect(local.Items.map((item: any) => [item.Cid, item.Requesters])).to.deep.equal([[CID.parse(cid).toV1().toString(), 2]])
        expect((await torplus(['frequency', 'top'], { repo })).stdout).to.equal('No requests from peers counted yet\n')

        // another node's list, over /torplus/popular/1.0.0: it has seen no demand from peers
        expect((await torplus(['swarm', 'connect', daemon.multiaddrs[0]], { repo })).code).to.equal(0)
        const asked = await torplus(['frequency', 'ask', daemon.peerId, '--enc=json'], { repo })
        expect(asked.code, asked.stderr).to.equal(0)
        expect(JSON.parse(asked.stdout)).to.include({ Peer: daemon.peerId, HalfLife: 86_400_000 }).and.have.property('Items').that.is.empty()

        // fill: a dry run, then a round, with nothing wanted to buy; their history; a share that is not one
        const dry = await torplus(['fill', '--dry-run', '--enc=json'], { repo })
        expect(dry.code, dry.stderr).to.equal(0)
        const events = dry.stdout.trim().split('\n').map(line => JSON.parse(line))
        expect(events.map(event => event.Type)).to.deep.equal(['collected', 'planned', 'round'])
        expect(events[2]).to.include({ DryRun: true, Asked: 1, Candidates: 0 })
        const round = await torplus(['fill', '--share', '10%', '--max-spend', '0.5'], { repo })
        expect(round.code, round.stderr).to.equal(0)
        expect(round.stdout).to.include('fill: 0 DAGs fetched (0 bytes), 0 let go, spent 0.0000000')
        const history = JSON.parse((await torplus(['fill', 'ls', '--enc=json'], { repo })).stdout)
        expect(history.Rounds.map((entry: any) => entry.DryRun)).to.deep.equal([false, true])
        const badShare = await torplus(['fill', '--share', '200%'], { repo })
        expect(badShare.code).to.not.equal(0)
        expect(badShare.stderr).to.include('"share" must be a fraction')
      } finally {
        expect(await other.stop()).to.equal(0)
      }

      const offline = await torplus(['frequency', 'top', '--local', '-n', '5'], { repo })
      expect(offline.code, offline.stderr).to.equal(0)
      expect(offline.stdout).to.include(`2\t${CID.parse(cid).toV1().toString()}\tlocal`)

      expect((await torplus(['frequency', 'ask', daemon.peerId], { repo })).code, 'asking needs the daemon').to.not.equal(0)

      const refused = await torplus(['frequency', 'top', '-n', '0'], { repo })
      expect(refused.code).to.not.equal(0)
      expect(refused.stderr).to.include('"n" must be from 1')
    })

    it('and says a config change applies at the next start', async () => {
      const result = await torplus(['config', 'set', 'Gateway.RetrievalTimeout', '20000', '--json'], { repo: daemon.repo })
      expect(result.code, result.stderr).to.equal(0)
      expect(result.stderr).to.match(/restart the daemon/)
    })
  })

  describe('bad input', () => {
    it('a second daemon on the same repo fails naming the holder', async () => {
      // the api file points at the running daemon, so commands use it; a second daemon must take the lock
      const result = await torplus(['daemon'], { repo: daemon.repo, timeout: 30_000 })
      expect(result.code).to.equal(1)
      expect(result.stderr).to.match(/^Error: repo .* is locked by `torplus daemon` \(pid \d+, since .*\): stop it/)
    })

    it('a port in use fails with what to change', async () => {
      const blocker = net.createServer()
      await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
      const port = (blocker.address() as net.AddressInfo).port

      try {
        const repo = await createRepo()
        await torplus(['config', 'set', 'Addresses.API', `/ip4/127.0.0.1/tcp/${port}`], { repo })
        const result = await torplus(['daemon'], { repo, timeout: 30_000 })

        expect(result.code).to.equal(1)
        expect(result.stderr).to.match(new RegExp(`^Error: cannot listen for the RPC API on /ip4/127.0.0.1/tcp/${port}: the port is in use; .*Addresses.API`))
        // nothing was left locked
        expect((await torplus(['repo', 'stat'], { repo })).code).to.equal(0)
      } finally {
        blocker.close()
      }
    })

    it('a non-loopback API address needs Addresses.AllowNonLoopback', async () => {
      const repo = await createRepo()
      await torplus(['config', 'set', 'Addresses.Gateway', '/ip4/0.0.0.0/tcp/0'], { repo })
      const result = await torplus(['daemon'], { repo, timeout: 30_000 })

      expect(result.code).to.equal(1)
      expect(result.stderr).to.match(/refusing to serve the gateway on \/ip4\/0.0.0.0\/tcp\/0 .*Addresses.AllowNonLoopback/)

      const swarm = await createRepo({ Addresses: { Swarm: ['/ip4/0.0.0.0/tcp/0'], API: '/ip4/127.0.0.1/tcp/0', Gateway: '/ip4/127.0.0.1/tcp/0', PaymentGateway: '/ip4/127.0.0.1/tcp/0' } })
      const listen = await torplus(['daemon'], { repo: swarm, timeout: 30_000 })
      expect(listen.code).to.equal(1)
      expect(listen.stderr).to.match(/^Error: refusing to listen on \/ip4\/0.0.0.0\/tcp\/0 \(Addresses.Swarm\).*reveal this machine's IP address/)
    })
  })

  describe('stopping', () => {
    it('shutdown over the API stops the daemon cleanly and frees the repo', async () => {
      const repo = await createRepo()
      const other = await startDaemon(repo)
      const result = await torplus(['shutdown'], { repo })

      expect(result.code, result.stderr).to.equal(0)
      expect(await other.stop()).to.equal(0)
      expect(other.output()).to.include('Daemon stopped')
      await expect(fs.access(path.join(repo, 'api'))).to.eventually.be.rejected()
      expect((await torplus(['repo', 'stat'], { repo })).code).to.equal(0)
    })

    it('SIGTERM stops it cleanly', async () => {
      const repo = await createRepo()
      const other = await startDaemon(repo)

      expect(await other.stop()).to.equal(0)
      expect(other.output()).to.include('Received interrupt signal, shutting down...')
      expect((await torplus(['repo', 'stat'], { repo })).code).to.equal(0)
    })

    it('--stop-with stops it cleanly once that process is gone, even killed', async () => {
      const repo = await createRepo()
      const parent = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600_000)'], { stdio: 'ignore' })
      const child = spawn(process.execPath, [BIN, 'daemon', '--stop-with', String(parent.pid)], { env: { ...process.env, TORPLUS_PATH: repo } })
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
      const exited = new Promise<number | null>(resolve => child.on('exit', resolve))

      try {
        await pWaitFor(() => output.includes('Daemon is ready'), { timeout: 30_000 })
      } finally {
        parent.kill('SIGKILL')
      }

      expect(await exited).to.equal(0)
      expect(output).to.include(`Process ${parent.pid} exited, shutting down...`)
      expect((await torplus(['repo', 'stat'], { repo })).code).to.equal(0)
    })
  })
})

describe('npm start', function () {
  this.timeout(300_000)

  it('runs a devnet with a provider holding sample content and a client, until Ctrl-C', async () => {
    const cwd = await tempDir()
    // exactly what the start script runs, in a fresh folder
    const child = spawn(process.execPath, [BIN, 'devnet', 'up', '--dir', '.torplus-dev', '--sample', '--attach'], { cwd })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    const exited = new Promise<number | null>(resolve => child.on('exit', resolve))

    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(output)) }, 240_000)
        child.stdout.on('data', () => {
          if (output.includes('Ctrl-C stops the devnet') || output.includes('Error:')) {
            clearTimeout(timer)
            resolve()
          }
        })
      })

      expect(output).to.match(/^node1: \/onion3\/[a-z2-7]{56}:4101\/p2p\/12D3Koo/m)
      expect(output).to.match(/metrics http:\/\/127\.0\.0\.1:\d+\/debug\/metrics\/prometheus/)
      const [, clientRepo, cid] = /TORPLUS_PATH=(\S+) npx torplus cat (\S+)/.exec(output) ?? []
      expect(clientRepo).to.include(path.join('.torplus-dev', 'node2'))

      const fetched = await torplus(['cat', cid], { repo: path.resolve(cwd, clientRepo) })
      expect(fetched.stdout).to.match(/^Hello from node1/)
    } finally {
      child.kill('SIGINT')
      expect(await exited).to.equal(0)
    }

    expect(output).to.include('devnet stopped')
  })
})
