/**
 * Tor control-port replies, as control-spec section 2.3 defines them: lines
 * of `<3-digit status><sep><text>`, where sep is ' ' (last line), '-' (more
 * lines follow) or '+' (a data block follows, ending with a lone '.', its
 * lines dot-escaped). Status 650 marks an asynchronous event.
 */
import { MalformedReplyError } from '../../errors.js'

export interface ReplyLine {
  status: number
  text: string
  /** The data block after a '+' line, un-escaped, lines joined with \n */
  data?: string
}

export interface Reply {
  /** The status of the final line */
  status: number
  lines: ReplyLine[]
}

const LINE = /^(\d{3})([ +-])(.*)$/

/**
 * Incremental parser: push text as it arrives, get complete replies back
 */
export class ReplyParser {
  private buffer = ''
  private lines: ReplyLine[] = []
  private data?: { line: ReplyLine, body: string[] }

  push (text: string): Reply[] {
    this.buffer += text
    const replies: Reply[] = []
    let newline: number

    while ((newline = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '')
      this.buffer = this.buffer.slice(newline + 1)
      const reply = this.line(line)

      if (reply != null) {
        replies.push(reply)
      }
    }

    return replies
  }

  private line (line: string): Reply | undefined {
    if (this.data != null) {
      if (line === '.') {
        this.data.line.data = this.data.body.join('\n')
        this.lines.push(this.data.line)
        this.data = undefined
      } else {
        this.data.body.push(line.startsWith('.') ? line.slice(1) : line)
      }

      return undefined
    }

    const match = LINE.exec(line)

    if (match == null) {
      throw new MalformedReplyError(line)
    }

    const entry: ReplyLine = { status: Number(match[1]), text: match[3] }

    if (match[2] === '+') {
      this.data = { line: entry, body: [] }
      return undefined
    }

    this.lines.push(entry)

    if (match[2] === '-') {
      return undefined
    }

    const reply = { status: entry.status, lines: this.lines }
    this.lines = []
    return reply
  }
}
