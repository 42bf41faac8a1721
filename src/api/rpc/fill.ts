/**
 * fill: run a fill round, streaming its progress as NDJSON and ending with
 * the round; fill/ls: past rounds, newest first
 */
import { Hono } from 'hono'
import { pushable } from 'it-pushable'
import { InvalidArgumentError } from '../../core/errors.js'
import { checkFill, fill, fillHistory } from '../../core/fill.js'
import { FILL_HISTORY_LIMIT } from '../../frequency/index.js'
import { toStroops } from '../../stellar/index.js'
import { fillEventView, fillRoundView } from '../views/fill.js'
import { flag, integer, json, ndjson } from './encoding.js'
import type { RpcContext } from './index.js'
import type { FillEventView, FillHistoryView, FillRoundView } from '../views/index.js'
import type { Context } from 'hono'

export function fillRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/', async (c) => {
    const share = shareOption(c)
    const dryRun = flag(c, 'dry-run', false)
    const maxSpend = amountOption(c, 'max-spend')
    checkFill(node)

    const out = pushable<FillEventView | FillRoundView>({ objectMode: true })

    fill(node, { share, dryRun, maxSpend, signal: c.req.raw.signal, onProgress: (event) => { out.push(fillEventView(event)) } })
      .then(round => { out.push(fillRoundView(round)); out.end() }, (err: Error) => out.end(err))

    return ndjson(c, out)
  })

  app.post('/ls', async (c) => {
    const limit = integer(c, 'n') ?? 20

    if (limit < 1 || limit > FILL_HISTORY_LIMIT) {
      throw new InvalidArgumentError(`option "n" must be from 1 to ${FILL_HISTORY_LIMIT}, not ${limit}`)
    }

    const rounds = await fillHistory(node, limit, { signal: c.req.raw.signal })
    return json<FillHistoryView>(c, { Rounds: rounds.map(fillRoundView) })
  })

  return app
}

/** "20%" or "0.2": a fraction of Datastore.StorageMax */
function shareOption (c: Context): number | undefined {
  const value = c.req.query('share')

  if (value == null || value === '') {
    return undefined
  }

  const percent = /^(\d{1,2}(?:\.\d{1,4})?)%$/.exec(value)
  const fraction = /^(0(?:\.\d{1,6})?|1)$/.exec(value)
  const share = percent != null ? Number(percent[1]) / 100 : Number(fraction?.[1] ?? NaN)

  if (!(share > 0 && share <= 0.95)) {
    throw new InvalidArgumentError(`option "share" must be a fraction of Datastore.StorageMax above 0 and at most 95%, such as "20%" or "0.2", not "${value}"`)
  }

  return share
}

function amountOption (c: Context, name: string): bigint | undefined {
  const value = c.req.query(name)

  if (value == null || value === '') {
    return undefined
  }

  // at most 12 digits before the point, as the config's amounts
  if (!/^\d{1,12}(\.\d{1,7})?$/.test(value)) {
    throw new InvalidArgumentError(`option "${name}" must be an amount such as "0.5" (at most 7 decimal places), not "${value}"`)
  }

  return toStroops(value)
}
