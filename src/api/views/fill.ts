/**
 * The JSON shapes of fill (NDJSON events, then the round) and fill/ls
 */
import { fromStroops } from '../../stellar/index.js'
import type { FillProgressEvents, FillRound } from '../../frequency/index.js'

export interface FillEventView {
  Type: 'collected' | 'planned' | 'evicted' | 'dag' | 'progress' | 'dag-done' | 'dag-failed'
  Asked?: number
  Lists?: number
  Dags?: number
  TotalDags?: number
  Bytes?: string
  TotalBytes?: string
  Evict?: number
  Cid?: string
  Size?: string
  Index?: number
  /** Spent so far (progress) or for the DAG (dag-done), in the asset */
  Spent?: string
  Reason?: string
}

export interface FillRoundView {
  Type: 'round'
  StartedAt: number
  EndedAt: number
  DryRun: boolean
  Asked: number
  Lists: number
  Candidates: number
  /** What the plan buys, best first (a dry run stops here) */
  Planned: Array<{ Cid: string, Size: string, Score: number, Requesters: number, Providers: number }>
  Fetched: Array<{ Cid: string, Size: string, Spent: string }>
  Failed: Array<{ Cid: string, Reason: string }>
  Evicted: Array<{ Cid: string, Size: string }>
  Bytes: string
  Spent: string
  Stopped: string | null
}

export interface FillHistoryView {
  Rounds: FillRoundView[]
}

export function fillEventView (event: FillProgressEvents): FillEventView {
  const type = event.type.slice('fill:'.length) as FillEventView['Type']
  const detail: Record<string, any> = event.detail
  const view: FillEventView = { Type: type }

  for (const [key, value] of Object.entries(detail)) {
    const name = key[0].toUpperCase() + key.slice(1)
    ;(view as any)[name] = viewValue(key, value)
  }

  return view
}

/** An amount as the asset's decimals; sizes and CIDs as strings */
function viewValue (key: string, value: unknown): unknown {
  if (key === 'spent') {
    return fromStroops(value as bigint)
  }

  return typeof value === 'bigint' || key === 'cid' ? String(value) : value
}

export function fillRoundView (round: FillRound): FillRoundView {
  return {
    Type: 'round',
    StartedAt: round.startedAt,
    EndedAt: round.endedAt,
    DryRun: round.dryRun,
    Asked: round.asked,
    Lists: round.lists,
    Candidates: round.candidates,
    Planned: round.planned.map(item => ({ Cid: item.cid.toString(), Size: item.size.toString(), Score: Math.round(item.score * 1e6) / 1e6, Requesters: item.requesters, Providers: item.providers })),
    Fetched: round.fetched.map(item => ({ Cid: item.cid, Size: item.size.toString(), Spent: fromStroops(item.spent) })),
    Failed: round.failed.map(item => ({ Cid: item.cid, Reason: item.reason })),
    Evicted: round.evicted.map(item => ({ Cid: item.cid, Size: item.size.toString() })),
    Bytes: round.bytes.toString(),
    Spent: fromStroops(round.spent),
    Stopped: round.stopped ?? null
  }
}
