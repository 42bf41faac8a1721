/**
 * Load, validate, change and save the repo config
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { CorruptConfigError, InvalidConfigValueError, UnknownConfigKeyError } from './errors.js'
import { CheckedConfigSchema } from './schema.js'
import type { Config, ConfigInput } from './schema.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { z } from 'zod'

export { chunkSize, ConfigSchema, MAX_CHUNK_SIZE } from './schema.js'
export type { Config, ConfigInput } from './schema.js'
export { parseByteSize, formatByteSize } from './byte-size.js'
export * from './errors.js'
export { PROFILES } from './profiles.js'
export { toApiSettings, toFillInit, toImportDefaults, toNodeSettings, toRequestSettings, toStorageMax } from './to-init.js'
export type { ApiSettings, NodeSettings, RequestSettings } from './to-init.js'

/**
 * Validate a config object, naming the first bad key in the error
 */
export function parseConfig (input: unknown): Config {
  const result = CheckedConfigSchema.safeParse(input)

  if (result.success) {
    return result.data
  }

  throw toConfigError(result.error)
}

function toConfigError (error: z.ZodError): Error {
  const issue = error.issues[0]
  const path = issue.path.map(String)

  if (issue.code === 'unrecognized_keys') {
    return new UnknownConfigKeyError([...path, issue.keys[0]].join('.'))
  }

  return new InvalidConfigValueError(path.join('.'), issue.message)
}

/**
 * Read and validate the config file; a file that fails is never rewritten
 */
export async function readConfig (file: string): Promise<Config> {
  let text: string

  try {
    text = await fs.readFile(file, 'utf8')
  } catch (err: any) {
    throw new CorruptConfigError(file, err.code === 'ENOENT' ? 'it is missing' : err.message)
  }

  let json: unknown

  try {
    json = JSON.parse(text)
  } catch (err: any) {
    throw new CorruptConfigError(file, `not JSON: ${err.message}`)
  }

  try {
    return parseConfig(json)
  } catch (err: any) {
    throw new CorruptConfigError(file, err.message)
  }
}

/**
 * Write the config atomically: a crash leaves either the old file or the new
 */
export async function writeConfig (file: string, config: Config): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`
  const handle = await fs.open(tmp, 'wx', 0o600)

  try {
    await handle.writeFile(JSON.stringify(config, null, 2) + '\n')
    await handle.sync()
  } finally {
    await handle.close()
  }

  await fs.rename(tmp, file)
}

/**
 * Read a value by dotted key (`Datastore.StorageMax`); no key reads the whole config
 */
export function getConfigValue (config: Config, key?: string): unknown {
  if (key == null || key === '') {
    return config
  }

  let value: any = config

  for (const part of key.split('.')) {
    if (value == null || typeof value !== 'object' || !Object.hasOwn(value, part)) {
      throw new UnknownConfigKeyError(key)
    }

    value = value[part]
  }

  return value
}

/**
 * Return a new config with one dotted key changed, validated as a whole
 */
export function setConfigValue (config: Config, key: string, value: unknown): Config {
  const parts = key.split('.')

  if (parts.some(part => part === '') || parts[0] === 'Identity') {
    throw new InvalidConfigValueError(key, parts[0] === 'Identity' ? 'the identity cannot be changed' : 'empty key segment')
  }

  const copy: any = structuredClone(config)
  let target = copy

  for (const part of parts.slice(0, -1)) {
    if (target[part] == null || typeof target[part] !== 'object' || Array.isArray(target[part])) {
      throw new UnknownConfigKeyError(key)
    }

    target = target[part]
  }

  target[parts[parts.length - 1]] = value

  return parseConfig(copy)
}

/**
 * Set dotted keys in a config file, validated, in one write
 */
export async function updateConfigFile (file: string, values: Record<string, unknown>): Promise<void> {
  let config = await readConfig(file)

  for (const [key, value] of Object.entries(values)) {
    config = setConfigValue(config, key, value)
  }

  await writeConfig(file, config)
}

export const DEFAULT_ONION_PORT = 4101

/** Where a torplus node at `onion` is dialled: the port nodes listen on there */
export function nodeAtOnion (onion: string): Multiaddr {
  return multiaddr(`/onion3/${onion.replace(/\.onion$/, '')}:${DEFAULT_ONION_PORT}`)
}

/**
 * The config of a new repo; in onion mode it listens on its own onion address
 */
export function defaultConfig (peerId: string, onionServiceId: string, overrides: Partial<Record<keyof ConfigInput, unknown>> = {}): Config {
  const input: any = structuredClone({ ...overrides, Identity: { PeerID: peerId } })
  const onionOnly = input.Swarm?.OnionOnly !== false

  if (input.Addresses?.Swarm == null) {
    input.Addresses = {
      ...input.Addresses,
      Swarm: onionOnly ? [`/onion3/${onionServiceId}:${DEFAULT_ONION_PORT}`] : [`/ip4/127.0.0.1/tcp/${DEFAULT_ONION_PORT}`]
    }
  }

  return parseConfig(input)
}
