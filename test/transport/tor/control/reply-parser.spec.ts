import { expect } from 'aegir/chai'
import { parseKeyValues, quote, ReplyParser } from '../../../../src/transport/tor/control/index.js'

// replies as tor 0.4.9 sends them
const PROTOCOLINFO = '250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE="/var/lib/tor/control_auth_cookie"\r\n250-VERSION Tor="0.4.9.3-alpha"\r\n250 OK\r\n'
const GETINFO_DATA = '250+config-text=\r\nSocksPort 9050\r\n..dot-escaped line\r\nControlPort 9051\r\n.\r\n250 OK\r\n'
const ADD_ONION = '250-ServiceID=mhgxqbkeyqwwpswcfhlxjyubcihnkhvrdnvc4yifzhhpbm3gzevd3qad\r\n250-PrivateKey=ED25519-V3:YHhqJ0B4cbIxvZ3o3N9M9P3qKfV0mZ6Y2WQy8p6y2lZm0Wc8r1O9Q6tkKkKkqN8a1nYqv1qYb6Q7W6k3rM5sA==\r\n250 OK\r\n'
const EVENTS = '650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=75 TAG=enough_dirinfo SUMMARY="Loaded enough directory info to build circuits"\r\n650 HS_DESC UPLOADED mhgxqbkeyqwwpswcfhlxjyubcihnkhvrdnvc4yifzhhpbm3gzevd3qad UNKNOWN $A8B4A0C1B1C0F4F4E66E7A3C9B6D5E4F3A2B1C0D\r\n'

describe('tor control reply parser', () => {
  it('parses a multi-line reply', () => {
    const [reply] = new ReplyParser().push(PROTOCOLINFO)

    expect(reply.status).to.equal(250)
    expect(reply.lines.map(l => l.text)).to.deep.equal([
      'PROTOCOLINFO 1',
      'AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE="/var/lib/tor/control_auth_cookie"',
      'VERSION Tor="0.4.9.3-alpha"',
      'OK'
    ])
  })

  it('parses a data reply and un-escapes its dots', () => {
    const [reply] = new ReplyParser().push(GETINFO_DATA)

    expect(reply.lines[0]).to.deep.equal({ status: 250, text: 'config-text=', data: 'SocksPort 9050\n.dot-escaped line\nControlPort 9051' })
    expect(reply.lines[1].text).to.equal('OK')
  })

  it('reassembles replies split anywhere, and keeps events apart', () => {
    const parser = new ReplyParser()
    const all = ADD_ONION + EVENTS
    const replies = []

    for (let i = 0; i < all.length; i += 7) {
      replies.push(...parser.push(all.slice(i, i + 7)))
    }

    expect(replies.map(r => r.status)).to.deep.equal([250, 650, 650])
    expect(replies[0].lines[0].text).to.match(/^ServiceID=[a-z2-7]{56}$/)
    expect(replies[2].lines[0].text).to.match(/^HS_DESC UPLOADED/)
  })

  it('accepts bare \\n line ends', () => {
    expect(new ReplyParser().push('250 OK\n')[0].lines[0].text).to.equal('OK')
  })

  it('rejects a line outside the grammar', () => {
    expect(() => new ReplyParser().push('HTTP/1.0 501 Tor is not an HTTP Proxy\r\n')).to.throw(/malformed control reply/)
    expect(() => new ReplyParser().push('25 OK\r\n')).to.throw(/malformed/)
  })

  it('error replies keep their status', () => {
    const [reply] = new ReplyParser().push('552 Unrecognized key "nope"\r\n')
    expect(reply.status).to.equal(552)
  })
})

describe('tor control quoting', () => {
  it('parses keyword=value pairs with quoted strings and escapes', () => {
    const fields = parseKeyValues('METHODS=COOKIE,SAFECOOKIE COOKIEFILE="/a b/\\"c\\"\\\\d" FLAG SUMMARY="tab\\there\\101"')

    expect(fields.get('METHODS')).to.equal('COOKIE,SAFECOOKIE')
    expect(fields.get('COOKIEFILE')).to.equal('/a b/"c"\\d')
    expect(fields.get('FLAG')).to.equal('')
    expect(fields.get('SUMMARY')).to.equal('tab\there' + 'A')
  })

  it('round-trips what it quotes', () => {
    const tricky = 'pass "word"\\ with\ttab\nand newline'
    expect(parseKeyValues(`X=${quote(tricky)}`).get('X')).to.equal(tricky)
  })

  it('rejects an unterminated quoted string', () => {
    expect(() => parseKeyValues('X="open')).to.throw(/unterminated/)
  })
})
