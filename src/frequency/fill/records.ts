/**
 * What fill keeps in the datastore: each DAG it holds (why, what it cost),
 * each round (the history `fill ls` shows) and what it learned of each
 * reporter (how often its items turned out to be wanted). Records are JSON,
 * amounts and sizes as decimal strings.
 */
import { Key } from 'interface-datastore'
import type { AbortOptions } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

const DAG_PREFIX = '/torplus/fill/dag'
const ROUND_PREFIX = '/torplus/fill/round'
const REPORTER_PREFIX = '/torplus/fill/reporter'

/** A DAG fill holds */
export interface FillDagRecord {
  cid: string
  size: bigint
  /** Merged score when it was fetched, or last re-scored */
  score: number
  /** Live providers besides us, when last counted */
  providers: number
  reporters: string[]
  filledAt: number
  /** Stroops paid while it was fetched */
  spent: bigint
}

/** One fill round */
export interface FillRoundRecord {
  startedAt: number
  endedAt: number
  dryRun: boolean
  /** Peers asked, and lists received */
  asked: number
  lists: number
  candidates: number
  fetched: Array<{ cid: string, size: bigint, spent: bigint }>
  failed: Array<{ cid: string, reason: string }>
  evicted: Array<{ cid: string, size: bigint }>
  bytes: bigint
  spent: bigint
  /** Why it stopped early, if it did */
  stopped?: string
}

/** What fill learned of a reporter */
export interface ReporterRecord {
  /** How often its items turned out to be wanted: 0.05 to 1 */
  accuracy: number
  /** Items of its bought in a round, to check once the round is old enough */
  pending: Array<{ at: number, items: string[] }>
}

export const INITIAL_ACCURACY = 0.5

export class FillRecords {
  constructor (private readonly datastore: Datastore) {}

  async dags (options?: AbortOptions): Promise<FillDagRecord[]> {
    return this.list(DAG_PREFIX, fromJsonDag, options)
  }

  async putDag (record: FillDagRecord, options?: AbortOptions): Promise<void> {
    await this.datastore.put(new Key(`${DAG_PREFIX}/${record.cid}`), encode(record), options)
  }

  async deleteDag (cid: string, options?: AbortOptions): Promise<void> {
    await this.datastore.delete(new Key(`${DAG_PREFIX}/${cid}`), options)
  }

  /** Rounds, newest first */
  async rounds (limit: number, options?: AbortOptions): Promise<FillRoundRecord[]> {
    const rounds = await this.list(ROUND_PREFIX, fromJsonRound, options)
    return rounds.sort((a, b) => b.startedAt - a.startedAt).slice(0, limit)
  }

  async putRound (record: FillRoundRecord, options?: AbortOptions): Promise<void> {
    await this.datastore.put(new Key(`${ROUND_PREFIX}/${String(record.startedAt).padStart(15, '0')}`), encode(record), options)
  }

  async reporter (peer: string, options?: AbortOptions): Promise<ReporterRecord> {
    try {
      return JSON.parse(new TextDecoder().decode(await this.datastore.get(new Key(`${REPORTER_PREFIX}/${peer}`), options)))
    } catch {
      return { accuracy: INITIAL_ACCURACY, pending: [] }
    }
  }

  async reporters (options?: AbortOptions): Promise<Array<[string, ReporterRecord]>> {
    const found: Array<[string, ReporterRecord]> = []

    for await (const { key, value } of this.datastore.query({ prefix: REPORTER_PREFIX }, options)) {
      found.push([key.baseNamespace(), JSON.parse(new TextDecoder().decode(value))])
    }

    return found
  }

  async putReporter (peer: string, record: ReporterRecord, options?: AbortOptions): Promise<void> {
    await this.datastore.put(new Key(`${REPORTER_PREFIX}/${peer}`), encode(record), options)
  }

  private async list <T> (prefix: string, parse: (value: any) => T, options?: AbortOptions): Promise<T[]> {
    const found: T[] = []

    for await (const { value } of this.datastore.query({ prefix }, options)) {
      found.push(parse(JSON.parse(new TextDecoder().decode(value))))
    }

    return found
  }
}

function encode (value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, (_, item) => typeof item === 'bigint' ? item.toString() : item))
}

function fromJsonDag (value: any): FillDagRecord {
  return { ...value, size: BigInt(value.size), spent: BigInt(value.spent) }
}

function fromJsonRound (value: any): FillRoundRecord {
  return {
    ...value,
    fetched: value.fetched.map((item: any) => ({ ...item, size: BigInt(item.size), spent: BigInt(item.spent) })),
    evicted: value.evicted.map((item: any) => ({ ...item, size: BigInt(item.size) })),
    bytes: BigInt(value.bytes),
    spent: BigInt(value.spent)
  }
}
