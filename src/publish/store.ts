/**
 * Published sites in the repo's datastore, so they survive restarts: a
 * directory served as it is, or a local web server the tunnel forwards to
 */
import { Key } from 'interface-datastore'
import { z } from 'zod'
import type { AbortOptions } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

const PREFIX = '/torplus/sites'

const SiteRecordSchema = z.strictObject({
  /** Short, random: what `publish rm` takes */
  id: z.string().regex(/^[0-9a-f]{8}$/),
  /** The name it is reached by (`torplus.example.com`), if one was given */
  name: z.string().max(253).optional(),
  /** An absolute directory served as static files */
  dir: z.string().optional(),
  /** A local web server, `http://127.0.0.1:<port>` */
  target: z.string().optional(),
  createdAt: z.number().int()
}).refine(record => (record.dir == null) !== (record.target == null), { message: 'a site is a directory or a target, one of them' })

export type SiteRecord = z.infer<typeof SiteRecordSchema>

export class SiteStore {
  constructor (private readonly datastore: Datastore) {}

  async list (options?: AbortOptions): Promise<SiteRecord[]> {
    const sites: SiteRecord[] = []

    for await (const { value } of this.datastore.query({ prefix: PREFIX }, options)) {
      const parsed = SiteRecordSchema.safeParse(parse(value))

      if (parsed.success) {
        sites.push(parsed.data)
      }
    }

    return sites.sort((a, b) => a.createdAt - b.createdAt)
  }

  async put (site: SiteRecord, options?: AbortOptions): Promise<void> {
    await this.datastore.put(new Key(`${PREFIX}/${site.id}`), new TextEncoder().encode(JSON.stringify(site)), options)
  }

  async delete (id: string, options?: AbortOptions): Promise<void> {
    await this.datastore.delete(new Key(`${PREFIX}/${id}`), options)
  }
}

function parse (value: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(value))
  } catch {
    return undefined
  }
}
