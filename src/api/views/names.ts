import type { Resolution } from '../../names/index.js'

/** A TorPlus name and the onion it names */
export interface NameView {
  Name: string
  /** `dns` (a TXT record) or `ens` */
  Via: string
  Onion: string
}

export function nameView (resolution: Resolution): NameView {
  return { Name: resolution.name, Via: resolution.via, Onion: resolution.onion }
}

/** What the extension's resolver answers: the onion, or the host as given when it is not a TorPlus name */
export interface ResolvedView {
  resolved: boolean
  hostname: string
}
