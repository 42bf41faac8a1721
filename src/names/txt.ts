/**
 * `torplus=<onion>` in a name's TXT records. Every record is read (the
 * original used only the first); records that are not ours are passed by,
 * ours that are malformed are skipped and reported, and the first valid one
 * wins. A DNS answer has no order, so two valid records that disagree are
 * reported too: the publisher should keep one.
 */
import { isValidServiceId } from '../transport/index.js'

/** The key of our TXT records */
export const TXT_KEY = 'torplus'

/** Characters of a TXT record we read at most: ours is 8 + 62; longer is not ours, or is hostile */
export const MAX_TXT_RECORD_LENGTH = 255

export interface TxtOnion {
  /** The onion host, `<56 characters>.onion` */
  onion?: string
  /** Why each record of ours that was not used was skipped */
  skipped: string[]
}

/**
 * The onion named by `records` (each record the character strings of one
 * TXT answer, joined here as DNS says)
 */
export function onionFromTxt (records: string[][]): TxtOnion {
  const skipped: string[] = []
  let onion: string | undefined

  for (const chunks of records) {
    const record = chunks.join('')

    if (record.slice(0, TXT_KEY.length + 1).toLowerCase() !== `${TXT_KEY}=`) {
      continue
    }

    const found = record.length > MAX_TXT_RECORD_LENGTH
      ? { error: `a torplus= record of ${record.length} characters: expected torplus=<56 characters>.onion` }
      : readOnionHost(record.slice(TXT_KEY.length + 1))

    if ('error' in found) {
      skipped.push(found.error)
    } else if (onion == null) {
      onion = found.onion
    } else if (onion !== found.onion) {
      skipped.push(`another record names ${found.onion}; ${onion} was taken: keep one torplus= record`)
    }
  }

  return { onion, skipped }
}

/**
 * A valid onion host from what a record holds (`<56 characters>.onion`, or
 * without `.onion`, any case), or why not
 */
export function readOnionHost (value: string): { onion: string } | { error: string } {
  let id = value.trim().toLowerCase()

  if (id.endsWith('.onion')) {
    id = id.slice(0, -'.onion'.length)
  }

  if (!/^[a-z2-7]{56}$/.test(id)) {
    return { error: `${printable(value)} is not an onion address: expected <56 characters>.onion` }
  }

  if (!isValidServiceId(id)) {
    return { error: `${id}.onion has a wrong checksum or version: copy the address \`torplus publish\` prints` }
  }

  return { onion: `${id}.onion` }
}

/** What a log line can show of a hostile value */
function printable (value: string): string {
  const shown = value.replace(/[^\x20-\x7e]/g, '?')
  return shown.length > 70 ? `${shown.slice(0, 70)}…` : shown
}
