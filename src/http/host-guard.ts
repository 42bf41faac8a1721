/**
 * DNS rebinding: a page on evil.example can point that name at 127.0.0.1,
 * and the browser then sends it our way as same-origin, with
 * `Host: evil.example:5101`, reading every answer. Our servers only ever
 * have names that cannot be rebound, so a request is served only when its
 * Host is `localhost` or an IP address.
 */
import { isIP } from 'node:net'

/** Why the request's Host is refused, or undefined when it is allowed */
export function refusedHost (request: Request): string | undefined {
  const host = request.headers.get('host')

  if (host == null || host === '') {
    return 'the request has no Host header'
  }

  const name = hostname(host)

  if (name == null || !(name === 'localhost' || isIP(name) !== 0)) {
    return `Host "${host}" is not this server's: use its address, e.g. http://127.0.0.1:<port>`
  }
}

/** The name part of a Host header: `[::1]:5101` → `::1`, `a:80` → `a` */
function hostname (host: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(host)

  if (bracketed != null) {
    return bracketed[1]
  }

  const plain = /^([^:[\]]+)(?::\d{1,5})?$/.exec(host)
  return plain?.[1].toLowerCase()
}
