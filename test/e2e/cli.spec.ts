/**
 * Every verb through the real binary on a repo with no daemon: the CLI opens
 * the repo itself
 */
import { execFile, spawn } from 'node:child_process'
import crypto from 'node:crypto'
import { existsSync } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect } from 'aegir/chai'
import pWaitFor from 'p-wait-for'
import { BIN, torplus } from '../utils/cli.js'
import { createRepo, tempDir } from '../utils/repo.js'

const execFileAsync = promisify(execFile)

describe('cli without a daemon', function () {
  this.timeout(120_000)
  let repo: string
  let work: string

  before(async () => {
    repo = await createRepo()
    work = await tempDir()
  })

  it('init creates a repo and says where', async () => {
    const fresh = path.join(await tempDir(), 'fresh')
    const result = await torplus(['init'], { repo: fresh })

    expect(result.code).to.equal(0)
    expect(result.stdout).to.match(/peer identity: 12D3Koo/)
    expect(await fs.readdir(fresh)).to.include('config')

    const again = await torplus(['init'], { repo: fresh })
    expect(again.code).to.equal(1)
    expect(again.stderr).to.match(/^Error: a torplus repo already exists at .*: use it/)
  })

  it('npx torplus prints only what torplus says, whatever Node.js the machine has', async function () {
    // the machine's own npm, as a user types it: npm checks torplus's engines with the machine's Node
    const npx = ['/usr/bin/npx', '/usr/local/bin/npx'].find(file => existsSync(file))

    if (npx == null) {
      this.skip()
    }

    const PATH = (process.env.PATH ?? '').split(path.delimiter).filter(dir => !dir.includes('node_modules')).join(path.delimiter)
    // a first run, as on a fresh machine: npx installs torplus in its cache, checking its engines
    const env = { ...process.env, PATH, TORPLUS_PATH: repo, npm_config_cache: await tempDir() }
    const { stdout, stderr } = await execFileAsync(npx, ['torplus', 'version'], { cwd: process.cwd(), env, timeout: 60_000 })
    expect(stderr).to.equal('')
    expect(stdout).to.match(/^torplus version \d+\.\d+\.\d+/)
  })

  it('version and --help work everywhere', async () => {
    const version = await torplus(['version'], { repo })
    expect(version.stdout).to.match(/^torplus version \d+\.\d+\.\d+/)
    expect(JSON.parse((await torplus(['version', '--enc=json'], { repo })).stdout)).to.have.property('Version')

    for (const verb of [[], ['add'], ['pin'], ['pin', 'ls'], ['repo', 'gc'], ['config', 'set'], ['swarm', 'connect'], ['stats', 'bw']]) {
      const help = await torplus([...verb, '--help'], { repo })
      expect(help.code, verb.join(' ')).to.equal(0)
      expect(help.stdout, verb.join(' ')).to.include('torplus')
    }
  })

  it('id prints Kubo-shaped JSON', async () => {
    const result = await torplus(['id'], { repo })
    const id = JSON.parse(result.stdout)

    expect(id.ID).to.match(/^12D3Koo/)
    expect(id.AgentVersion).to.match(/^torplus\//)
  })

  it('adds a file, a directory tree and stdin; cat and get give them back', async () => {
    const file = path.join(work, 'file.bin')
    const content = crypto.randomBytes(3 * 1024 * 1024 + 17)
    await fs.writeFile(file, content)

    const added = await torplus(['add', file], { repo })
    expect(added.code, added.stderr).to.equal(0)
    const [, fileCid, name] = added.stdout.trim().split(' ')
    expect(name).to.equal('file.bin')

    const cat = await torplus(['cat', fileCid], { repo })
    expect(cat.stdoutBytes.equals(content)).to.be.true()

    const range = await torplus(['cat', fileCid, '--offset', '10', '--length', '5'], { repo })
    expect(range.stdoutBytes.equals(content.subarray(10, 15))).to.be.true()

    const dir = path.join(work, 'tree')
    await fs.mkdir(path.join(dir, 'sub', 'deeper'), { recursive: true })
    await fs.writeFile(path.join(dir, 'a.txt'), 'alpha\n')
    await fs.writeFile(path.join(dir, 'sub', 'b.txt'), 'beta\n')
    await fs.writeFile(path.join(dir, 'sub', 'deeper', 'c.bin'), crypto.randomBytes(300_000))

    const tree = await torplus(['add', '-r', dir], { repo })
    expect(tree.code, tree.stderr).to.equal(0)
    const lines = tree.stdout.trim().split('\n')
    expect(lines.map(line => line.split(' ')[2])).to.include.members(['tree', 'tree/a.txt', 'tree/sub/b.txt', 'tree/sub/deeper/c.bin'])
    const rootCid = lines.find(line => line.endsWith(' tree'))?.split(' ')[1] ?? ''

    const quiet = await torplus(['add', '-r', '-Q', dir], { repo })
    expect(quiet.stdout.trim()).to.equal(rootCid)

    const out = path.join(work, 'out')
    const get = await torplus(['get', rootCid, '-o', out], { repo })
    expect(get.code, get.stderr).to.equal(0)
    expect(await fs.readFile(path.join(out, 'a.txt'), 'utf8')).to.equal('alpha\n')
    expect(await fs.readFile(path.join(out, 'sub', 'b.txt'), 'utf8')).to.equal('beta\n')
    expect((await fs.readFile(path.join(out, 'sub', 'deeper', 'c.bin'))).equals(await fs.readFile(path.join(dir, 'sub', 'deeper', 'c.bin')))).to.be.true()

    const single = path.join(work, 'single.bin')
    expect((await torplus(['get', fileCid, '-o', single], { repo })).code).to.equal(0)
    expect((await fs.readFile(single)).equals(content)).to.be.true()

    const stdin = await torplus(['add', '--enc=json'], { repo, input: 'from stdin\n' })
    const entry = JSON.parse(stdin.stdout)
    expect(entry.Hash).to.equal(entry.Name)
    expect((await torplus(['cat', `/ipfs/${entry.Hash}`], { repo })).stdout).to.equal('from stdin\n')
  })

  it('add follows Import.* where the command does not say, so a provider can give the CIDs Kubo gives', async () => {
    const hello = 'hello world\n'
    const content = crypto.randomBytes(600 * 1024)
    const blocks = async (repoPath: string): Promise<number> => JSON.parse((await torplus(['repo', 'stat', '--enc=json'], { repo: repoPath })).stdout).NumObjects

    // the default: CIDv1, a raw leaf, 1 MiB chunks (sha256 of the bytes, as a raw CIDv1)
    const ours = await createRepo()
    expect((await torplus(['add', '-q'], { repo: ours, input: hello })).stdout.trim()).to.equal('bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4')
    await torplus(['add', '-q'], { repo: ours, input: content })
    expect(await blocks(ours)).to.equal(2)

    // Kubo's defaults: the CID `ipfs add` gives "hello world\n", and 256 KiB chunks (3 leaves and a root)
    const kubo = await createRepo({ Import: { CidVersion: 0, UnixFSRawLeaves: false, UnixFSChunker: 'size-262144' } })
    expect((await torplus(['add', '-q'], { repo: kubo, input: hello })).stdout.trim()).to.equal('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o')
    await torplus(['add', '-q'], { repo: kubo, input: content })
    expect(await blocks(kubo)).to.equal(5)

    // what the command says wins
    expect((await torplus(['add', '-q', '--cid-version=1', '--raw-leaves'], { repo: kubo, input: hello })).stdout.trim()).to.equal('bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4')

    // a chunker add cannot use is refused when the config is written
    const refused = await torplus(['config', 'set', 'Import.UnixFSChunker', 'rabin-1-2-3'], { repo: kubo })
    expect(refused.code).to.equal(1)
    expect(refused.stderr).to.match(/size-<bytes>/)
  })

  it('pins, unpins, collects garbage and reports the repo', async () => {
    const added = await torplus(['add', '-q', '--pin=false'], { repo, input: 'unpinned content\n' })
    const cid = added.stdout.trim()

    const ls = await torplus(['pin', 'ls', '--enc=json'], { repo })
    expect(Object.keys(JSON.parse(ls.stdout).Keys)).to.not.include(cid)

    expect((await torplus(['pin', 'add', cid], { repo })).stdout).to.equal(`pinned ${cid} recursively\n`)
    expect((await torplus(['pin', 'ls', '-q'], { repo })).stdout).to.include(cid)
    expect((await torplus(['pin', 'rm', cid], { repo })).stdout).to.equal(`unpinned ${cid}\n`)

    const before = JSON.parse((await torplus(['repo', 'stat', '--enc=json'], { repo })).stdout)
    const gc = await torplus(['repo', 'gc'], { repo })
    expect(gc.code, gc.stderr).to.equal(0)
    expect(gc.stdout).to.include(`removed ${cid}`)
    const after = JSON.parse((await torplus(['repo', 'stat', '--enc=json'], { repo })).stdout)
    expect(after.NumObjects).to.equal(before.NumObjects - gc.stdout.trim().split('\n').length)
    expect(after.RepoSize).to.be.lessThan(before.RepoSize)
    expect(after.StorageMax).to.equal(10_000_000_000)

    const missing = await torplus(['cat', cid], { repo })
    expect(missing.code).to.equal(1)
    expect(missing.stderr).to.equal(`Error: ${cid} is not in the local repo: start the daemon (\`torplus daemon\`) to fetch it from peers\n`)

    expect(JSON.parse((await torplus(['repo', 'stat', '--json'], { repo })).stdout)).to.deep.equal(after)

    const text = await torplus(['repo', 'stat', '-H'], { repo })
    expect(text.stdout).to.match(/RepoSize: +[\d.]+ (B|KiB|MiB)/)
  })

  it('shows, gets and sets config by dotted key', async () => {
    const show = JSON.parse((await torplus(['config', 'show'], { repo })).stdout)
    expect(show.Datastore.StorageMax).to.equal('10GB')

    expect((await torplus(['config', 'set', 'Datastore.StorageMax', '20GB'], { repo })).code).to.equal(0)
    expect((await torplus(['config', 'get', 'Datastore.StorageMax'], { repo })).stdout).to.equal('20GB\n')
    expect((await torplus(['config', 'set', 'Swarm.ConnMgr.HighWater', '200', '--json'], { repo })).code).to.equal(0)
    expect(JSON.parse((await torplus(['config', 'get', 'Swarm.ConnMgr', '--enc=json'], { repo })).stdout).Value.HighWater).to.equal(200)
    expect((await torplus(['config', 'set', 'Addresses.AllowNonLoopback', 'true', '--bool'], { repo })).code).to.equal(0)
    expect((await torplus(['config', 'set', 'Addresses.AllowNonLoopback', 'false', '--bool'], { repo })).code).to.equal(0)
  })

  describe('bad input', () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['a malformed CID', ['cat', 'not-a-cid'], /^Error: invalid path "not-a-cid": "not-a-cid" is not a valid CID; expected <cid>/],
      ['a malformed CID to get', ['get', 'bafyzzz'], /^Error: invalid path/],
      ['a missing path', ['add', '/no/such/file'], /^Error: \/no\/such\/file: no such file or directory\n$/],
      ['a directory without -r', ['add', '/tmp'], /^Error: \/tmp is a directory: use -r to add directories\n$/],
      ['an unknown config key', ['config', 'set', 'Datastore.StorageMaxx', '1GB'], /^Error: unknown config key "Datastore.StorageMaxx": run `torplus config show`/],
      ['an ill-typed config value', ['config', 'set', 'Swarm.ConnMgr.HighWater', 'lots'], /^Error: invalid value for config key "Swarm.ConnMgr.HighWater"/],
      ['a bad --json value', ['config', 'set', 'Swarm.ConnMgr.HighWater', '{', '--json'], /^Error: "\{" is not JSON/],
      ['unpinning what is not pinned', ['pin', 'rm', 'bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am'], /is not pinned/],
      ['shutdown with no daemon', ['shutdown'], /^Error: no daemon is running on .*: start one with `torplus daemon`/],
      ['an unknown command', ['frobnicate'], /Unknown argument|Unknown command/]
    ]

    const repoPath = (): string => repo

    for (const [what, args, message] of cases) {
      it(`fails cleanly on ${what}`, async () => {
        const result = await torplus(args, { repo: repoPath() })

        expect(result.code, result.stderr).to.equal(1)
        expect(result.stderr).to.match(message)
        expect(result.stderr.split('\n').filter(line => line.startsWith('    at '))).to.be.empty()
      })
    }

    it('fails cleanly on a repo that is not there', async () => {
      const result = await torplus(['repo', 'stat'], { repo: path.join(work, 'nowhere') })
      expect(result.code).to.equal(1)
      expect(result.stderr).to.match(/^Error: no torplus repo at .*nowhere: run `torplus init` first/)
    })

    it('fails cleanly on a corrupt config and leaves it alone', async () => {
      const broken = await createRepo()
      await fs.writeFile(path.join(broken, 'config'), '{"Identity": {"PeerID": "x"}, "Datastore": {"StorageMax": "huge"}}')

      const result = await torplus(['repo', 'stat'], { repo: broken })
      expect(result.code).to.equal(1)
      expect(result.stderr).to.match(/^Error: config file .*config is unreadable .*"Datastore.StorageMax".*fix it by hand/)

      const set = await torplus(['config', 'set', 'Datastore.StorageMax', '1GB'], { repo: broken })
      expect(set.code).to.equal(1)
      expect(await fs.readFile(path.join(broken, 'config'), 'utf8')).to.include('"huge"')
    })

    it('fails an add past the quota, pins nothing, and gc frees the rest', async () => {
      const small = await createRepo({ Datastore: { StorageMax: '2MB' } })
      const file = path.join(work, 'too-big.bin')
      await fs.writeFile(file, crypto.randomBytes(3 * 1024 * 1024))

      const result = await torplus(['add', file], { repo: small })
      expect(result.code).to.equal(1)
      expect(result.stderr).to.match(/^Error: storage quota exceeded \(\d+ of 2000000 bytes used\): run `torplus repo gc` or raise Datastore.StorageMax/)
      expect((await torplus(['pin', 'ls', '-q'], { repo: small })).stdout).to.equal('')

      const stat = JSON.parse((await torplus(['repo', 'stat', '--enc=json'], { repo: small })).stdout)
      expect(stat.RepoSize).to.be.at.most(2_000_000)
      await torplus(['repo', 'gc'], { repo: small })
      expect(JSON.parse((await torplus(['repo', 'stat', '--enc=json'], { repo: small })).stdout).NumObjects).to.equal(0)

      const fits = await torplus(['add', '-q'], { repo: small, input: crypto.randomBytes(500_000) })
      expect(fits.code, fits.stderr).to.equal(0)
    })

    it('leaves a repo that opens after a crash during add', async () => {
      const crashed = await createRepo()
      const child = spawn(process.execPath, [BIN, 'add'], { env: { ...process.env, TORPLUS_PATH: crashed }, stdio: ['pipe', 'ignore', 'ignore'] })
      const exited = new Promise(resolve => child.on('exit', resolve))
      // writes racing the kill end in EPIPE, which is expected here
      child.stdin.on('error', () => {})

      // feed stdin until blocks reach the disk, then kill the CLI mid-import
      await pWaitFor(async () => {
        child.stdin.write(crypto.randomBytes(256 * 1024))
        return (await fs.readdir(path.join(crashed, 'blocks'), { recursive: true })).some(name => name.endsWith('.data'))
      }, { interval: 100, timeout: 30_000 })
      child.kill('SIGKILL')
      await exited

      const stat = await torplus(['repo', 'stat', '--enc=json'], { repo: crashed })
      expect(stat.code, stat.stderr).to.equal(0)
      expect(JSON.parse(stat.stdout).NumObjects).to.be.greaterThan(0)
      expect((await torplus(['pin', 'ls', '-q'], { repo: crashed })).stdout).to.equal('')
      expect((await torplus(['repo', 'gc', '-q'], { repo: crashed })).code).to.equal(0)
      expect(JSON.parse((await torplus(['repo', 'stat', '--enc=json'], { repo: crashed })).stdout).NumObjects).to.equal(0)
      expect((await torplus(['add', '-q'], { repo: crashed, input: 'after the crash' })).code).to.equal(0)
    })
  })
})
