/**
 * Turn the multipart body of an `add` request into import candidates as it
 * streams in. Parts arrive as kubo-rpc-client writes them: field `file` or
 * `dir` (with `-N` suffixes and optional `?mode=&mtime=&mtime-nsecs=`), the
 * path URL-encoded in the filename. Every part is checked before it reaches
 * the importer: a malformed one fails the request, never the daemon.
 */
import { Readable } from 'node:stream'
import busboy from 'busboy'
import { pushable } from 'it-pushable'
import { InvalidArgumentError } from '../../core/errors.js'
import type { FileCandidate, DirectoryCandidate } from 'ipfs-unixfs-importer'

type Candidate = FileCandidate | DirectoryCandidate

/** What a part says of itself, checked */
interface PartHeader {
  path: string
  mode?: number
  mtime?: { secs: bigint, nsecs?: number }
  directory: boolean
}

export function multipartCandidates (request: Request, signal: AbortSignal): AsyncIterable<Candidate> {
  const contentType = request.headers.get('content-type') ?? ''

  if (!contentType.startsWith('multipart/form-data') || request.body == null) {
    throw new InvalidArgumentError('add needs a multipart/form-data body with the files to add')
  }

  const candidates = pushable<Candidate>({ objectMode: true })
  let parser: ReturnType<typeof busboy>

  try {
    parser = busboy({ headers: { 'content-type': contentType }, preservePath: true })
  } catch (err: any) {
    throw new InvalidArgumentError(`malformed multipart body: ${err.message}`)
  }

  const body = Readable.fromWeb(request.body as any, { signal })
  const fail = (err: Error): void => {
    candidates.end(err)
    body.unpipe(parser)
    body.destroy()
  }

  parser.on('file', (field, stream, info) => {
    let header: PartHeader

    try {
      header = parsePartHeader(field ?? '', info.filename ?? '', info.mimeType ?? '')
    } catch (err: any) {
      stream.resume()
      fail(err)
      return
    }

    const { path, mode, mtime } = header

    if (header.directory) {
      stream.resume()
      candidates.push({ path, mode, mtime })
      return
    }

    candidates.push({ path, content: chunks(stream), mode, mtime })
  })
  parser.on('close', () => candidates.end())
  parser.on('error', (err: Error) => { fail(new InvalidArgumentError(`malformed multipart body: ${err.message}`)) })
  body.on('error', fail)
  body.pipe(parser)

  return candidates
}

/**
 * A part's path, mode and mtime, strictly: a path that does not decode or
 * climbs out of the import (`..`) and numbers that are not what they claim
 * are the client's error
 */
export function parsePartHeader (field: string, filename: string, mimeType: string): PartHeader {
  let path: string

  try {
    path = decodeURIComponent(filename)
  } catch {
    throw new InvalidArgumentError(`the part name "${filename}" is not a URL-encoded path`)
  }

  if (path.includes('\0') || path.split('/').some(segment => segment === '..' || segment === '.')) {
    throw new InvalidArgumentError(`the path "${path}" may not contain "." or ".." segments or NUL characters`)
  }

  const params = new URLSearchParams(field.split('?')[1] ?? '')
  const mode = optional(params, 'mode', /^[0-7]{1,4}$/, 'an octal file mode such as 0644', value => parseInt(value, 8))
  const secs = optional(params, 'mtime', /^-?\d{1,15}$/, 'whole seconds since 1970', value => BigInt(value))
  const nsecs = optional(params, 'mtime-nsecs', /^\d{1,9}$/, 'nanoseconds, 0 to 999999999', value => Number(value))

  if (nsecs != null && secs == null) {
    throw new InvalidArgumentError('mtime-nsecs needs mtime')
  }

  return {
    path,
    mode,
    mtime: secs == null ? undefined : { secs, nsecs },
    directory: field.startsWith('dir') || mimeType === 'application/x-directory'
  }
}

function optional <T> (params: URLSearchParams, name: string, pattern: RegExp, expected: string, parse: (value: string) => T): T | undefined {
  const value = params.get(name)

  if (value == null) {
    return undefined
  }

  if (!pattern.test(value)) {
    throw new InvalidArgumentError(`${name} must be ${expected}, not "${value}"`)
  }

  return parse(value)
}

async function * chunks (stream: Readable): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) {
      yield chunk
    }
  } catch (err: any) {
    throw err instanceof InvalidArgumentError ? err : new InvalidArgumentError(`malformed multipart body: ${err.message}`)
  }
}
