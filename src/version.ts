/**
 * The package version, read once from package.json
 */
import { readFileSync } from 'node:fs'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))

export const VERSION: string = pkg.version
export const REPO_VERSION = 1
export const AGENT_VERSION = `torplus/${VERSION}`
