/**
 * The JSON shape of stats/bw, Kubo's
 */
import type { BandwidthStat } from '../../metrics/bandwidth.js'

export interface BandwidthView {
  TotalIn: number
  TotalOut: number
  /** Bytes per second over the last sample interval */
  RateIn: number
  RateOut: number
}

export function bandwidthView (stat: BandwidthStat): BandwidthView {
  return { TotalIn: Number(stat.totalIn), TotalOut: Number(stat.totalOut), RateIn: stat.rateIn, RateOut: stat.rateOut }
}
