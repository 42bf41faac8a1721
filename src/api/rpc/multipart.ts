/**
 * Turn the multipart body of an `add` request into import candidates as it
 * streams in. Parts arrive as kubo-rpc-client writes them: field `file` or
 * `dir` (with `-N` suffixes and optional `?mode=&mtime=`), the path URL-encoded
 * in the filename.
 */
import { Readable } from 'node:stream'
import busboy from 'busboy'
import { pushable } from 'it-pushable'
import { InvalidArgumentError } from '../../core/errors.js'
import type { FileCandidate, DirectoryCandidate } from 'ipfs-unixfs-importer'

type Candidate = FileCandidate | DirectoryCandidate

export function multipartCandidates (request: Request, signal: AbortSignal): AsyncIterable<Candidate> {
  const contentType = request.headers.get('content-type') ?? ''

  if (!contentType.startsWith('multipart/form-data') || request.body == null) {
    throw new InvalidArgumentError('add needs a multipart/form-data body with the files to add')
  }

  const candidates = pushable<Candidate>({ objectMode: true })
  const parser = busboy({ headers: { 'content-type': contentType }, preservePath: true })

  parser.on('file', (field, stream, info) => {
    const path = decodeURIComponent(info.filename ?? '')
    const params = new URLSearchParams(field.split('?')[1] ?? '')
    const mode = params.has('mode') ? parseInt(params.get('mode') ?? '', 8) : undefined
    const mtime = params.has('mtime') ? { secs: BigInt(params.get('mtime') ?? 0), nsecs: Number(params.get('mtime-nsecs') ?? 0) } : undefined

    if (field.startsWith('dir') || info.mimeType === 'application/x-directory') {
      stream.resume()
      candidates.push({ path, mode, mtime })
      return
    }

    candidates.push({ path, content: chunks(stream), mode, mtime })
  })
  parser.on('close', () => candidates.end())
  parser.on('error', (err: Error) => candidates.end(new InvalidArgumentError(`malformed multipart body: ${err.message}`)))

  const body = Readable.fromWeb(request.body as any, { signal })
  body.on('error', (err) => candidates.end(err))
  body.pipe(parser)

  return candidates
}

async function * chunks (stream: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) {
    yield chunk
  }
}
