/**
 * config (get and set by dotted key), config/show. Changes are saved at once
 * and apply at the next daemon start.
 */
import { Hono } from 'hono'
import { getConfigValue, setConfigValue } from '../../config/index.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { args, flag, json } from './encoding.js'
import type { RpcContext } from './index.js'

function parseValue (raw: string, asJson: boolean, asBool: boolean): unknown {
  if (asBool) {
    if (raw !== 'true' && raw !== 'false') {
      throw new InvalidArgumentError(`"${raw}" is not a boolean`)
    }

    return raw === 'true'
  }

  if (!asJson) {
    return raw
  }

  try {
    return JSON.parse(raw)
  } catch {
    throw new InvalidArgumentError(`"${raw}" is not JSON; drop --json to set it as a string`)
  }
}

export function configRoutes ({ node }: RpcContext): Hono {
  const app = new Hono()

  app.post('/config', async (c) => {
    const [key, value] = args(c)

    if (key == null || key === '') {
      throw new InvalidArgumentError('argument "key" is required')
    }

    if (value == null) {
      return json(c, { Key: key, Value: getConfigValue(node.repo.config, key) })
    }

    const next = setConfigValue(node.repo.config, key, parseValue(value, flag(c, 'json', false), flag(c, 'bool', false)))
    await node.repo.saveConfig(next)

    return json(c, { Key: key, Value: getConfigValue(next, key) })
  })

  app.post('/config/show', (c) => json(c, node.repo.config))

  return app
}
