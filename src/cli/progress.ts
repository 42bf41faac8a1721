/**
 * Progress bars on stderr, only when it is a terminal
 */
import cliProgress from 'cli-progress'
import { formatByteSize } from '../config/index.js'

export interface ByteProgress {
  /** Whether a bar is drawn (enabled, on a terminal, and big enough) */
  readonly shown: boolean
  add(bytes: number): void
  /** Text after the byte counts, e.g. what was paid so far */
  note(text: string): void
  /** Leave the bar as it is; safe to call more than once */
  stop(): void
}

/** Inputs smaller than this finish before a bar would help */
const MIN_BAR_BYTES = 1024 * 1024

export function byteProgress (label: string, total: number | undefined, enabled: boolean): ByteProgress {
  if (!enabled || !process.stderr.isTTY || (total != null && total < MIN_BAR_BYTES)) {
    return { shown: false, add () {}, note () {}, stop () {} }
  }

  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: total == null
      ? `${label} {done}{note}`
      : `${label} [{bar}] {percentage}% {done} / {size}{note}`,
    hideCursor: true,
    clearOnComplete: false
  }, cliProgress.Presets.shades_classic)

  let done = 0
  let stopped = false
  bar.start(total ?? 0, 0, { done: formatByteSize(0), size: formatByteSize(total ?? 0), note: '' })

  return {
    shown: true,
    add (bytes) {
      done += bytes
      bar.update(Math.min(done, total ?? done), { done: formatByteSize(done) })
    },
    note (text) {
      bar.update({ note: text.length > 0 ? `, ${text}` : '' })
    },
    stop () {
      if (!stopped) {
        stopped = true
        bar.stop()
      }
    }
  }
}

/**
 * Count the bytes of a stream as it is read
 */
export async function * counted (source: AsyncIterable<Uint8Array>, progress: ByteProgress): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    progress.add(chunk.byteLength)
    yield chunk
  }
}

/**
 * tor's bootstrap, 0 to 100%: a bar on a terminal, else a line at each step
 * (a service manager's log shows what the daemon waits for)
 */
export function percentProgress (label: string): { update(percent: number, summary: string): void, stop(): void } {
  if (!process.stderr.isTTY) {
    let last: number | undefined

    return {
      update (percent, summary) {
        if (percent !== last) {
          last = percent
          process.stderr.write(`${label}: ${percent}%${summary === '' ? '' : ` (${summary})`}\n`)
        }
      },
      stop () {}
    }
  }

  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% {summary}`,
    hideCursor: true
  }, cliProgress.Presets.shades_classic)
  bar.start(100, 0, { summary: '' })
  let stopped = false

  return {
    update (percent, summary) {
      bar.update(percent, { summary })
    },
    stop () {
      if (!stopped) {
        stopped = true
        bar.stop()
      }
    }
  }
}
