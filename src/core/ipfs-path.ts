/**
 * Parse `<cid>[/path]`, `/ipfs/<cid>[/path]` and `ipfs://<cid>[/path]`
 */
import { CID } from 'multiformats/cid'
import { InvalidPathError } from './errors.js'

export interface IpfsPath {
  cid: CID
  /** Path inside the DAG, without a leading slash; '' for the root */
  path: string
}

export function parseIpfsPath (input: string): IpfsPath {
  const trimmed = input.trim().replace(/^ipfs:\/\//, '/ipfs/').replace(/^\/ipfs\//, '')

  if (trimmed.startsWith('/')) {
    throw new InvalidPathError(input, 'only /ipfs/ paths are supported')
  }

  const [first, ...rest] = trimmed.split('/')

  if (first === '') {
    throw new InvalidPathError(input, 'no CID given')
  }

  if (rest.some(part => part === '.' || part === '..')) {
    throw new InvalidPathError(input, 'a path inside a DAG has no "." or ".." segments')
  }

  let cid: CID

  try {
    cid = CID.parse(first)
  } catch {
    throw new InvalidPathError(input, `"${first}" is not a valid CID`)
  }

  return { cid, path: rest.filter(part => part !== '').join('/') }
}

export function formatIpfsPath ({ cid, path }: IpfsPath): string {
  return path === '' ? cid.toString() : `${cid}/${path}`
}
