/**
 * A private tor network on 127.0.0.1: three directory authorities with keys
 * from tor-gencert, a few relays, `TestingTorNetwork 1`. Node tors join it
 * through `clientConfig()`, which their managed tor appends to its torrc, so
 * the devnet runs the same code path as the real network.
 *
 * Settings and the staged start follow what was measured here: authorities
 * vote Stable at once (onion circuits need a Stable layer-2 node), and relays
 * must all be in a consensus before client tors bootstrap from it.
 */
import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { CustomProgressEvent } from 'progress-events'
import { stopProcess } from '../utils/processes.js'
import { DEFAULT_CONSENSUS_TIMEOUT, DEFAULT_RELAYS } from './constants.js'
import { TorNetworkError } from './errors.js'
import { PortAllocator } from './ports.js'
import type { AbortOptions, ComponentLogger, Logger, Startable } from '@libp2p/interface'
import type { ChildProcess } from 'node:child_process'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

const run = promisify(execFile)

export interface TorNetworkInit {
  /** Folder for every tor's keys, data and logs */
  dir: string
  logger: ComponentLogger
  /**
   * Relays besides the authorities
   *
   * @default 3
   */
  relays?: number
  /**
   * The tor binary
   *
   * @default 'tor'
   */
  torPath?: string
  /**
   * Milliseconds to wait for a consensus that lists every relay
   *
   * @default 90_000
   */
  consensusTimeout?: number

  /**
   * Run the tors detached, so they outlive this process (`devnet up`); they
   * are then stopped by pid
   *
   * @default false
   */
  detached?: boolean

  /**
   * The pid of a process whose exit stops every tor of the network (tor's
   * own watch, `__OwningControllerProcess`)
   *
   * @default this process, unless detached
   */
  owner?: number
}

export type TorNetworkProgressEvents =
  ProgressEvent<'devnet:tor:keys'> |
  ProgressEvent<'devnet:tor:started', { count: number }> |
  ProgressEvent<'devnet:tor:consensus', { relays: number }>

interface TorInstance {
  name: string
  dir: string
  orPort: number
  dirPort: number
  fingerprint: string
  v3ident?: string
  process?: ChildProcess
  exit?: string
}

/** Lines every tor of the network has, authorities and clients alike */
const TESTING_LINES = [
  'TestingTorNetwork 1',
  'PathsNeededToBuildCircuits 0.67',
  'TestingDirAuthVoteExit *',
  'TestingDirAuthVoteGuard *',
  'TestingDirAuthVoteHSDir *',
  'TestingMinExitFlagThreshold 0',
  'V3AuthNIntervalsValid 2',
  'Schedulers Vanilla'
]

export class TorNetwork implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:devnet:tor-network'
  private readonly dir: string
  private readonly relayCount: number
  private readonly torPath: string
  private readonly consensusTimeout: number
  private readonly log: Logger
  private readonly detached: boolean
  private readonly owner?: number
  private authorities: TorInstance[] = []
  private relays: TorInstance[] = []
  private started = false
  private ports = new PortAllocator()

  constructor (init: TorNetworkInit) {
    this.dir = init.dir
    this.relayCount = init.relays ?? DEFAULT_RELAYS
    this.torPath = init.torPath ?? 'tor'
    this.consensusTimeout = init.consensusTimeout ?? DEFAULT_CONSENSUS_TIMEOUT
    this.log = init.logger.forComponent('torplus:devnet:tor-network')
    this.detached = init.detached ?? false
    // a child is not killed with its parent: tor watches for it instead
    this.owner = init.owner ?? (this.detached ? undefined : process.pid)
  }

  isStarted (): boolean {
    return this.started
  }

  /**
   * The torrc lines a tor needs to use this network
   */
  clientConfig (): string[] {
    return [...TESTING_LINES, ...this.dirAuthorityLines()]
  }

  async start (options: AbortOptions & ProgressOptions<TorNetworkProgressEvents> = {}): Promise<void> {
    if (this.started) {
      return
    }

    options.onProgress?.(new CustomProgressEvent('devnet:tor:keys'))
    this.ports = new PortAllocator()
    this.authorities = await Promise.all([0, 1, 2].map(async i => this.createAuthority(`auth${i}`)))
    this.relays = await Promise.all(Array.from({ length: this.relayCount }, async (_, i) => this.createRelay(`relay${i}`)))
    this.started = true

    try {
      for (const tor of [...this.authorities, ...this.relays]) {
        tor.process = await this.spawnTor(tor)
      }

      options.onProgress?.(new CustomProgressEvent('devnet:tor:started', { count: this.authorities.length + this.relays.length }))
      await this.waitForConsensus(options)
      options.onProgress?.(new CustomProgressEvent('devnet:tor:consensus', { relays: this.authorities.length + this.relays.length }))
    } catch (err) {
      await this.stop()
      throw err
    }
  }

  async stop (): Promise<void> {
    await Promise.all([...this.authorities, ...this.relays].map(async tor => stopProcess(tor.process, 5_000)))
    this.started = false
  }

  /** Process ids, for pid files */
  pids (): number[] {
    return [...this.authorities, ...this.relays].flatMap(tor => tor.process?.pid == null ? [] : [tor.process.pid])
  }

  private dirAuthorityLines (): string[] {
    return this.authorities.map(a =>
      `DirAuthority ${a.name} orport=${a.orPort} no-v2 v3ident=${a.v3ident} 127.0.0.1:${a.dirPort} ${a.fingerprint}`)
  }

  private async createAuthority (name: string): Promise<TorInstance> {
    const tor = await this.createInstance(name)
    const keys = path.join(tor.dir, 'keys')
    await fs.mkdir(keys, { recursive: true, mode: 0o700 })
    await this.generateKeys(tor, keys)

    const certificate = await fs.readFile(path.join(keys, 'authority_certificate'), 'utf8')
    tor.v3ident = /^fingerprint (\w+)$/m.exec(certificate)?.[1]
    tor.fingerprint = await this.fingerprint(tor)

    return tor
  }

  private async generateKeys (tor: TorInstance, keys: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const gencert = spawn('tor-gencert', [
        '--create-identity-key', '-m', '12', '-a', `127.0.0.1:${tor.dirPort}`,
        '-i', path.join(keys, 'authority_identity_key'),
        '-s', path.join(keys, 'authority_signing_key'),
        '-c', path.join(keys, 'authority_certificate'),
        '--passphrase-fd', '0'
      ], { stdio: ['pipe', 'ignore', 'pipe'] })
      let stderr = ''
      gencert.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
      gencert.on('error', reject)
      gencert.on('exit', (code) => { code === 0 ? resolve() : reject(new TorNetworkError('tor-gencert could not create the authority keys', stderr.trim().split('\n'))) })
      // an empty passphrase on stdin
      gencert.stdin.end('\n')
    })
  }

  private async createRelay (name: string): Promise<TorInstance> {
    const tor = await this.createInstance(name)
    tor.fingerprint = await this.fingerprint(tor)
    return tor
  }

  private async createInstance (name: string): Promise<TorInstance> {
    const dir = path.join(this.dir, name)
    // every start is a new network: keys, ports and consensus
    await fs.rm(dir, { recursive: true, force: true })
    await fs.mkdir(dir, { recursive: true, mode: 0o700 })
    return { name, dir, orPort: await this.ports.next(), dirPort: await this.ports.next(), fingerprint: '' }
  }

  private async fingerprint (tor: TorInstance): Promise<string> {
    const empty = path.join(this.dir, 'empty-torrc')
    await fs.writeFile(empty, '')
    const { stdout } = await run(this.torPath, ['--list-fingerprint', '--DataDirectory', tor.dir, '--ORPort', String(tor.orPort), '-f', empty, '--defaults-torrc', empty, '--Nickname', tor.name])
    const match = /(\w+) ([A-F0-9 ]{49})\s*$/m.exec(stdout)

    if (match == null) {
      throw new TorNetworkError(`tor --list-fingerprint gave no fingerprint for ${tor.name}`, stdout.trim().split('\n'))
    }

    return match[2].replace(/ /g, '')
  }

  private torrc (tor: TorInstance, authority: boolean): string[] {
    return [
      ...this.clientConfig(),
      `Nickname ${tor.name}`,
      `DataDirectory ${tor.dir}`,
      `Log notice file ${path.join(tor.dir, 'notice.log')}`,
      'Address 127.0.0.1',
      `ORPort 127.0.0.1:${tor.orPort}`,
      `DirPort 127.0.0.1:${tor.dirPort}`,
      'SocksPort 0',
      'AssumeReachable 1',
      'ExitRelay 1',
      'ExitPolicyRejectPrivate 0',
      'ExitPolicy accept 127.0.0.0/8:*',
      'ContactInfo devnet',
      'RunAsDaemon 0',
      ...(this.owner == null ? [] : [`__OwningControllerProcess ${this.owner}`]),
      ...(authority
        ? [
            'AuthoritativeDirectory 1',
            'V3AuthoritativeDirectory 1',
            'TestingV3AuthInitialVotingInterval 5',
            'TestingV3AuthInitialVoteDelay 2',
            'TestingV3AuthInitialDistDelay 2',
            'V3AuthVotingInterval 10',
            'V3AuthVoteDelay 2',
            'V3AuthDistDelay 2',
            'AuthDirVoteStableGuaranteeMinUptime 0',
            'AuthDirVoteStableGuaranteeMTBF 0'
          ]
        : [])
    ]
  }

  private async spawnTor (tor: TorInstance): Promise<ChildProcess> {
    const torrc = path.join(tor.dir, 'torrc')
    const empty = path.join(this.dir, 'empty-torrc')
    await fs.writeFile(torrc, this.torrc(tor, tor.v3ident != null).join('\n') + '\n')
    const child = spawn(this.torPath, ['-f', torrc, '--defaults-torrc', empty], { stdio: 'ignore', detached: this.detached })
    child.on('exit', (code, signal) => {
      tor.exit = `exited with ${code ?? signal}`
      this.log('%s %s', tor.name, tor.exit)
    })

    if (this.detached) {
      child.unref()
    }

    return child
  }

  private async waitForConsensus (options: AbortOptions): Promise<void> {
    const tors = [...this.authorities, ...this.relays]
    const deadline = Date.now() + this.consensusTimeout
    let listed = new Set<string>()

    while (Date.now() < deadline) {
      options.signal?.throwIfAborted()
      const dead = tors.filter(tor => tor.exit != null)

      if (dead.length > 0) {
        throw new TorNetworkError(`the private tor network did not start: ${dead.map(tor => `${tor.name} ${tor.exit}`).join(', ')}`, await this.diagnose(dead))
      }

      listed = await this.listedInConsensus()

      if (listed.size >= tors.length) {
        this.log('consensus lists all %d relays', listed.size)
        return
      }

      await new Promise(resolve => setTimeout(resolve, 250))
    }

    const missing = tors.filter(tor => !listed.has(tor.name))
    throw new TorNetworkError(`the private tor network had no consensus listing all ${tors.length} relays within ${this.consensusTimeout} ms; missing: ${missing.map(tor => tor.name).join(', ')}`, await this.diagnose(missing))
  }

  /** Nicknames in the first authority's latest consensus */
  private async listedInConsensus (): Promise<Set<string>> {
    const consensus = await fs.readFile(path.join(this.authorities[0].dir, 'cached-consensus'), 'utf8').catch(() => '')
    return new Set(consensus.split('\n').filter(line => line.startsWith('r ')).map(line => line.split(' ')[1]))
  }

  /** The last warnings each tor logged, since its folder may be gone by the time anyone looks */
  private async diagnose (tors: TorInstance[]): Promise<string[]> {
    const lines = await Promise.all(tors.map(async tor => {
      const log = await fs.readFile(path.join(tor.dir, 'notice.log'), 'utf8').catch(() => '')
      const warnings = log.split('\n').filter(line => /\[(warn|err)\]/.test(line)).slice(-3)
      return warnings.length === 0 ? [`${tor.name}: no warnings in its notice.log`] : warnings.map(line => `${tor.name}: ${line}`)
    }))

    return lines.flat()
  }
}
