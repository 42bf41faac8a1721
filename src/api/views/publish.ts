import type { PublishedSite } from '../../publish/index.js'

/** A site this node publishes, and how browsers find it */
export interface SiteView {
  ID: string
  Name: string | null
  Dir: string | null
  Target: string | null
  /** Whether its directory or server can be reached now */
  Available: boolean
  /** The node's onion, where the site is reached; null in the loopback development mode */
  Onion: string | null
  /** The TXT record to add on Name (torplus.<domain>), or the ENS text record for a .eth name */
  Record: string | null
  /** Where a stock Tor Browser gets it, within the free allowance (Publish.PlainOnion): the node's first site only */
  PlainURL: string | null
}

export function siteView (site: PublishedSite, onion: string | undefined): SiteView {
  return {
    ID: site.id,
    Name: site.name ?? null,
    Dir: site.dir ?? null,
    Target: site.target ?? null,
    Available: site.available,
    Onion: onion ?? null,
    Record: onion == null ? null : `torplus=${onion}`,
    PlainURL: onion == null || !site.plainOnion ? null : `http://${onion}/`
  }
}
