import type { SiteView } from '../../../api/views/index.js'
import type { CliContext } from '../../context.js'

/** A site in a line, and with `howTo`, what to do so browsers find it */
export function printSite (ctx: Pick<CliContext, 'print'>, site: SiteView, howTo: boolean): void {
  const what = site.Dir ?? site.Target ?? ''
  ctx.print(`${site.ID} ${site.Name ?? '(no name)'} ${what}${site.Available ? '' : ' (not available: its directory or server is missing)'}${howTo || site.PlainURL == null ? '' : ` (Tor Browser: ${site.PlainURL})`}`)

  if (!howTo) {
    return
  }

  if (site.Onion == null) {
    ctx.print('this node runs in the loopback development mode: only other nodes on this machine reach the site')
    return
  }

  ctx.print(`onion: ${site.Onion}`)

  if (site.PlainURL != null) {
    ctx.print(`Tor Browser visitors, who cannot pay, get it within the free allowance at ${site.PlainURL} (Publish.PlainOnion)`)
  }

  if (site.Name == null) {
    ctx.print(`to reach it by name, publish it again with --name torplus.<your domain>, and add the DNS TXT record: ${site.Record ?? ''}`)
  } else if (site.Name.endsWith('.eth')) {
    ctx.print(`set the ENS text record "torplus" of ${site.Name} to: ${site.Onion}`)
  } else {
    ctx.print(`add this DNS TXT record on ${site.Name}: ${site.Record ?? ''}`)
  }
}
